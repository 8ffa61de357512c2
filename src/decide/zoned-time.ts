/** A wall-clock reading in a time zone. */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes after midnight of a `HH:MM` time (24-hour clock); undefined when it is not one. */
export function parseClock(text: string): number | undefined {
  const match = CLOCK.exec(text);
  if (match === null) return undefined;
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Whether `Intl` knows the IANA time zone (`Asia/Kolkata`). */
export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time at epoch ms `ms` in `zone` (seconds dropped). */
export function localTime(ms: number, zone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(ms))
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return {
    year: parts['year'] ?? 1970,
    month: parts['month'] ?? 1,
    day: parts['day'] ?? 1,
    hour: parts['hour'] ?? 0,
    minute: parts['minute'] ?? 0,
  };
}

/**
 * The first moment whose wall clock in `zone` reads `local` or later: the earlier of the two
 * moments when the clock is set back and reads it twice, the moment of the jump when the
 * clock skips it. `local` may overflow (`day: 32`), as in `Date.UTC`.
 */
export function zonedToEpoch(local: LocalTime, zone: string): number {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  const offsets = new Set([offsetAt(wall - DAY, zone), offsetAt(wall, zone), offsetAt(wall + DAY, zone)]);
  const candidates = [...offsets].map((offset) => wall - offset);
  const exact = candidates.filter((at) => at + offsetAt(at, zone) === wall);
  if (exact.length > 0) return Math.min(...exact);
  let low = Math.min(...candidates);
  let high = Math.max(...candidates);
  while (high - low > MINUTE) {
    const middle = low + Math.max(1, Math.floor((high - low) / 2 / MINUTE)) * MINUTE;
    if (middle + offsetAt(middle, zone) >= wall) high = middle;
    else low = middle;
  }
  return high;
}

/** The offset of `zone` from UTC at epoch ms `ms`, in ms (+5:30 → 19_800_000). */
export function offsetAt(ms: number, zone: string): number {
  const whole = Math.floor(ms / MINUTE) * MINUTE;
  const local = localTime(whole, zone);
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute) - whole;
}

function formatter(zone: string): Intl.DateTimeFormat {
  const known = formatters.get(zone);
  if (known !== undefined) return known;
  const created = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  formatters.set(zone, created);
  return created;
}
