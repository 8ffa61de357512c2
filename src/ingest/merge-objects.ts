import type { JsonObject } from './event.ts';

/** True for a JSON object (not null, not an array): what properties, traits and context must be. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deep-merges `over` onto `base` into a new object: keys of `over` win, and where both hold an
 * object at the same key the two are merged the same way. Used for a batch's envelope
 * `context`/`integrations`, which apply to every item unless the item says otherwise. Arrays
 * are values, not merged. Subtrees only one side has are shared, not copied: events are
 * treated as immutable after ingestion. `__proto__` keys are dropped, so a hostile body cannot
 * reach a prototype.
 */
export function mergeObjects(base: JsonObject, over: JsonObject): JsonObject {
  const merged: JsonObject = {};
  for (const key in base) {
    if (key !== '__proto__') merged[key] = base[key];
  }
  for (const key in over) {
    if (key === '__proto__') continue;
    const value = over[key];
    const under = merged[key];
    merged[key] = isJsonObject(value) && isJsonObject(under) ? mergeObjects(under, value) : value;
  }
  return merged;
}
