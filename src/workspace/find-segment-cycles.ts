/**
 * The cycles among segments that test each other's membership, each as the keys along it with
 * the first repeated at the end (`['a', 'b', 'a']`; a segment testing itself gives `['a', 'a']`).
 * Keys are tried in the order given, and each cycle starts at the earliest of its segments; a
 * segment already on a cycle found starts no other, so one tangle is reported once.
 * `dependsOn` maps a key to the keys it tests; keys it does not hold test nothing.
 */
export function findSegmentCycles(
  keys: readonly string[],
  dependsOn: ReadonlyMap<string, string[]>,
): string[][] {
  const cycles: string[][] = [];
  const onCycle = new Set<string>();
  for (const start of keys) {
    if (onCycle.has(start)) continue;
    const path = pathBack(start, dependsOn);
    if (path === undefined) continue;
    for (const key of path) onCycle.add(key);
    cycles.push(path);
  }
  return cycles;
}

/** The shortest path of dependencies from `start` back to itself, breadth first; undefined when none. */
function pathBack(start: string, dependsOn: ReadonlyMap<string, string[]>): string[] | undefined {
  const cameFrom = new Map<string, string>();
  let frontier = [start];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const key of frontier) {
      for (const dependency of dependsOn.get(key) ?? []) {
        if (dependency === start) return [...trail(key, start, cameFrom), start];
        if (cameFrom.has(dependency)) continue;
        cameFrom.set(dependency, key);
        next.push(dependency);
      }
    }
    frontier = next;
  }
  return undefined;
}

/** The keys from `start` to `end` following `cameFrom` backwards, in order. */
function trail(end: string, start: string, cameFrom: ReadonlyMap<string, string>): string[] {
  const keys = [end];
  let key = end;
  while (key !== start) {
    const previous = cameFrom.get(key);
    if (previous === undefined) break;
    keys.unshift(previous);
    key = previous;
  }
  return keys;
}
