/** One hour in milliseconds: the bucket segment entries and exits are counted in. */
export const HOUR_MS = 3_600_000;

/** One day in milliseconds: the longer bucket of a segment's history. */
export const DAY_MS = 24 * HOUR_MS;

/** The start of the hour (UTC) that holds `at` (epoch ms). */
export function hourOf(at: number): number {
  return Math.floor(at / HOUR_MS) * HOUR_MS;
}
