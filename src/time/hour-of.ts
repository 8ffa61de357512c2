/** One hour in milliseconds: the bucket segment entries and exits are counted in. */
export const HOUR_MS = 3_600_000;

/** The start of the hour (UTC) that holds `at` (epoch ms). */
export function hourOf(at: number): number {
  return Math.floor(at / HOUR_MS) * HOUR_MS;
}
