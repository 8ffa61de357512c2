import { isTimeZone, localTime, zonedToEpoch } from '../decide/zoned-time.ts';

const HOUR = 3_600_000;

/**
 * The first moment strictly after `after` (epoch ms) at which the wall clock in `zone` shows
 * `minutes` after midnight: when the clock is set back and shows it twice, either showing
 * counts; when the clock skips it, the moment of the jump. A missing or unknown zone is UTC.
 */
export function nextLocalTime(after: number, minutes: number, zone: string | undefined): number {
  const tz = zone !== undefined && isTimeZone(zone) ? zone : 'UTC';
  const today = localTime(after, tz);
  const hour = Math.floor(minutes / 60);
  const minute = minutes % 60;
  let at = after;
  for (let day = 0; day < 3; day += 1) {
    at = zonedToEpoch({ year: today.year, month: today.month, day: today.day + day, hour, minute }, tz);
    if (at > after) return at;
    const repeat = at + HOUR;
    const shown = localTime(repeat, tz);
    if (repeat > after && shown.hour === hour && shown.minute === minute) return repeat;
  }
  return at;
}
