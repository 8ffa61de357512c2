import { type Document, isScalar, visit } from 'yaml';

/**
 * Where a mapping of the document repeats a key, as the character offset of each repeat, in
 * linear time. The `yaml` library's own check (`uniqueKeys: true`) compares each new key with
 * every earlier key of its mapping, so one mapping of 10,000 keys took 16 s to parse (20,000:
 * 48 s); parsing with `uniqueKeys: false` and checking here gives the same answer: scalar keys
 * with the same value (`===`) repeat, other keys never do.
 */
export function duplicateKeyOffsets(document: Document): number[] {
  const offsets: number[] = [];
  visit(document, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const value: unknown = pair.key.value;
        if (seen.has(value)) offsets.push(pair.key.range?.[0] ?? 0);
        else seen.add(value);
      }
    },
  });
  return offsets;
}
