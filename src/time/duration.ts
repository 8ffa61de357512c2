const UNIT_MS = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const;

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;

/**
 * Parses a duration as written in the workspace file (`30d`, `12h`, `15m`, `90s`, `2w`,
 * `500ms`, also `1.5h`) into milliseconds. Throws an Error whose message says what to write
 * instead; the workspace loader reports it against the field.
 */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  const amount = match?.[1];
  const unit = match?.[2];
  if (amount === undefined || unit === undefined || !isUnit(unit)) {
    throw new Error(
      `\`${text}\` is not a duration: write a number and a unit (ms, s, m, h, d, w), like 30d, 12h, 15m, 90s, 2w or 500ms`,
    );
  }
  const ms = Math.round(Number(amount) * UNIT_MS[unit]);
  if (ms <= 0) throw new Error(`\`${text}\` is not a duration: it must be longer than zero`);
  return ms;
}

function isUnit(unit: string): unit is keyof typeof UNIT_MS {
  return Object.hasOwn(UNIT_MS, unit);
}
