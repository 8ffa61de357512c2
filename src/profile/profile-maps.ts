/**
 * Reads a key of a profile map only when the map itself holds it, so names from events such as
 * `constructor` or `__proto__` never reach `Object.prototype`.
 */
export function ownEntry<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Whether a key from an event may be written into a profile map (`__proto__` would replace its prototype). */
export function isWritableKey(key: string): boolean {
  return key !== '__proto__';
}

/**
 * Merges a map of timed entries (traits, consent) from an absorbed profile: per key, the later
 * entry wins; on equal times `into` keeps its own.
 */
export function mergeLatest<T extends { at: number }>(
  into: Record<string, T>,
  from: Record<string, T>,
): void {
  for (const key in from) {
    const theirs = from[key];
    if (theirs === undefined || !isWritableKey(key)) continue;
    const ours = ownEntry(into, key);
    if (ours === undefined || theirs.at > ours.at) into[key] = theirs;
  }
}
