import { isRecord } from './value-guards.ts';

/** Reads the value at a path that was split at compile time. */
export type PathGetter = (subject: unknown) => unknown;

/**
 * Compiles a dotted path (`context.location.city`) into a getter, splitting it once. Like
 * GrowthBook, a path that leaves the data yields `null`, not `undefined` (so `{ x: null }`
 * matches a missing `x`), and array indexes are keys (`tags.0`, `tags.length`). Only own
 * properties are read: inherited ones (`constructor`, `toString`) read as missing.
 */
export function compilePath(path: string): PathGetter {
  const keys = path.split('.');
  const [a, b, c] = keys;
  if (a === undefined) return () => null;
  if (b === undefined) return (subject) => step(subject, a);
  if (c === undefined) return (subject) => step(step(subject, a), b);
  if (keys.length === 3) return (subject) => step(step(step(subject, a), b), c);
  return (subject) => {
    let value = subject;
    for (let i = 0; i < keys.length; i += 1) value = step(value, keys[i]!);
    return value;
  };
}

/**
 * One step down a path, through own properties only: `constructor`, `__proto__` or
 * `toString` are whatever the data holds under those names, not what every object inherits
 * (else `traits.constructor: { $exists: true }` would match every profile).
 */
function step(value: unknown, key: string): unknown {
  if (!isRecord(value) || !Object.hasOwn(value, key)) return null;
  return value[key];
}
