/** One difference between two workspace definitions: where, and whether it was added, removed or changed. */
export interface DefinitionChange {
  /** A dotted path: `segments.high_intent_leads`, `decisions.contactPolicy`, `name`. */
  path: string;
  change: 'added' | 'removed' | 'changed';
}

/** How deep the comparison names what changed before it reports a whole subtree as changed. */
const MAX_DEPTH = 3;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Items of an array that each have a string `key` (segments, actions, journeys…), by key; undefined otherwise. */
function keyed(value: unknown): Map<string, unknown> | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const byKey = new Map<string, unknown>();
  for (const item of value) {
    if (!isRecord(item) || typeof item.key !== 'string' || byKey.has(item.key)) return undefined;
    byKey.set(item.key, item);
  }
  return byKey;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * What applying `next` over `current` would change, as paths, without values (a definition may hold
 * channel secrets): objects are compared property by property and keyed lists (segments,
 * placements, actions, journeys…) item by item, down to `MAX_DEPTH` levels, in the order of `next`
 * then `current`. Equal definitions give no change.
 */
export function definitionChanges(current: unknown, next: unknown): DefinitionChange[] {
  const changes: DefinitionChange[] = [];
  walk(current, next, '', 0, changes);
  return changes;
}

function walk(a: unknown, b: unknown, path: string, depth: number, out: DefinitionChange[]): void {
  if (same(a, b)) return;
  const at = (name: string) => (path === '' ? name : `${path}.${name}`);
  if (depth < MAX_DEPTH && isRecord(a) && isRecord(b)) {
    for (const name of new Set([...Object.keys(b), ...Object.keys(a)])) {
      if (!(name in a)) out.push({ path: at(name), change: 'added' });
      else if (!(name in b)) out.push({ path: at(name), change: 'removed' });
      else walk(a[name], b[name], at(name), depth + 1, out);
    }
    return;
  }
  const before = keyed(a);
  const after = keyed(b);
  if (
    depth < MAX_DEPTH &&
    (before !== undefined || after !== undefined) &&
    (a === undefined || before !== undefined) &&
    (b === undefined || after !== undefined)
  ) {
    for (const key of new Set([...(after?.keys() ?? []), ...(before?.keys() ?? [])])) {
      if (!before?.has(key)) out.push({ path: at(key), change: 'added' });
      else if (!after?.has(key)) out.push({ path: at(key), change: 'removed' });
      else if (!same(before.get(key), after.get(key))) out.push({ path: at(key), change: 'changed' });
    }
    return;
  }
  out.push({
    path: path === '' ? '(definition)' : path,
    change: a === undefined ? 'added' : b === undefined ? 'removed' : 'changed',
  });
}
