const STRIP = /^v|\+.*$/g;
const SEPARATOR = /[-.]/;
const NUMERIC = /^[0-9]+$/;

/**
 * Turns a version (`v1.2.3-rc.1+build`) into a string whose plain string order is version
 * order, with GrowthBook's rules so `$vgt` and friends agree with it: a leading `v` and the
 * build suffix are dropped, numeric parts are left-padded to five places, and a release
 * (`1.0.0`) sorts after its pre-releases (`1.0.0-beta`). Anything that is not a non-empty
 * string or a number reads as `0`.
 */
export function versionKey(input: unknown): string {
  const text = typeof input === 'number' ? String(input) : input;
  const version = typeof text === 'string' && text !== '' ? text : '0';
  const parts = version.replace(STRIP, '').split(SEPARATOR);
  if (parts.length === 3) parts.push('~');
  let key = '';
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i]!;
    if (i > 0) key += '-';
    key += NUMERIC.test(part) ? part.padStart(5, ' ') : part;
  }
  return key;
}
