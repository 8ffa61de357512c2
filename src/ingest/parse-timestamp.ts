const DASH = 45;
const COLON = 58;
const DOT = 46;
const COMMA = 44;
const SPACE = 32;
const PLUS = 43;
const UPPER_T = 84;
const LOWER_T = 116;
const UPPER_Z = 90;
const LOWER_Z = 122;
const MINUTE_MS = 60_000;
/** 400 Gregorian years are exactly 146,097 days; used to keep years below 100 out of Date.UTC's 1900s mapping. */
const FOUR_CENTURIES_MS = 146_097 * 86_400_000;

/**
 * Parses an ISO-8601 date string (what the Segment spec sends) to epoch milliseconds; NaN when
 * it is not one. Strict where `Date.parse` is not (`Date.parse('1')` is a date in 2001, and a
 * string without a zone is read in the server's local time): a date, optionally a time with
 * seconds and fraction, optionally a zone (`Z`, `±hh`, `±hhmm`, `±hh:mm`). Without a zone the
 * time is UTC, as the spec says all timestamps are. Month and day may have one digit
 * (`2015-2-02`, as in Segment's own batch example). Hand-written because it runs on every
 * timestamp of every event: no regex, no allocation.
 */
export function parseTimestamp(text: string): number {
  const year = fixedDigits(text, 0, 4);
  if (year < 0 || text.charCodeAt(4) !== DASH) return Number.NaN;
  let i = 5;
  let digit = digitAt(text, i);
  if (digit < 0) return Number.NaN;
  let month = digit;
  i += 1;
  digit = digitAt(text, i);
  if (digit >= 0) {
    month = month * 10 + digit;
    i += 1;
  }
  if (text.charCodeAt(i) !== DASH) return Number.NaN;
  i += 1;
  digit = digitAt(text, i);
  if (digit < 0) return Number.NaN;
  let day = digit;
  i += 1;
  digit = digitAt(text, i);
  if (digit >= 0) {
    day = day * 10 + digit;
    i += 1;
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return Number.NaN;

  let hour = 0;
  let minute = 0;
  let second = 0;
  let ms = 0;
  let offsetMinutes = 0;
  if (i < text.length) {
    const separator = text.charCodeAt(i);
    if (separator !== UPPER_T && separator !== LOWER_T && separator !== SPACE) return Number.NaN;
    hour = fixedDigits(text, i + 1, 2);
    if (hour < 0 || hour > 23 || text.charCodeAt(i + 3) !== COLON) return Number.NaN;
    minute = fixedDigits(text, i + 4, 2);
    if (minute < 0 || minute > 59) return Number.NaN;
    i += 6;
    if (text.charCodeAt(i) === COLON) {
      second = fixedDigits(text, i + 1, 2);
      // 60 is a leap second; Date.UTC carries it into the next minute.
      if (second < 0 || second > 60) return Number.NaN;
      i += 3;
      const mark = text.charCodeAt(i);
      if (mark === DOT || mark === COMMA) {
        i += 1;
        let scale = 100;
        const start = i;
        for (digit = digitAt(text, i); digit >= 0; digit = digitAt(text, i)) {
          ms += digit * scale;
          scale /= 10;
          i += 1;
        }
        if (i === start) return Number.NaN;
        ms = Math.floor(ms);
      }
    }
  }

  if (i < text.length) {
    const zone = text.charCodeAt(i);
    if (zone === UPPER_Z || zone === LOWER_Z) {
      i += 1;
    } else if (zone === PLUS || zone === DASH) {
      const hours = fixedDigits(text, i + 1, 2);
      if (hours < 0 || hours > 23) return Number.NaN;
      i += 3;
      if (text.charCodeAt(i) === COLON) i += 1;
      let minutes = 0;
      if (i < text.length) {
        minutes = fixedDigits(text, i, 2);
        if (minutes < 0 || minutes > 59) return Number.NaN;
        i += 2;
      }
      offsetMinutes = (zone === PLUS ? 1 : -1) * (hours * 60 + minutes);
    } else {
      return Number.NaN;
    }
    if (i !== text.length) return Number.NaN;
  }
  // Date.UTC reads years 0–99 as 1900–1999; shift them four centuries up and back.
  const early = year < 100;
  const epochMs = Date.UTC(early ? year + 400 : year, month - 1, day, hour, minute, second, ms);
  return epochMs - (early ? FOUR_CENTURIES_MS : 0) - offsetMinutes * MINUTE_MS;
}

function digitAt(text: string, index: number): number {
  // Past the end charCodeAt is NaN, and NaN fails both comparisons.
  const digit = text.charCodeAt(index) - 48;
  return digit >= 0 && digit <= 9 ? digit : -1;
}

function fixedDigits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i += 1) {
    const digit = digitAt(text, i);
    if (digit < 0) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
