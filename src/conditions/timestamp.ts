/**
 * Reads a point in time from data: epoch milliseconds, an ISO-8601 string or a `Date`.
 * Anything else, or an unparseable string, is `NaN`, which no recency comparison matches.
 */
export function toEpochMs(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Date.parse(value);
  if (value instanceof Date) return value.getTime();
  return Number.NaN;
}
