/**
 * The partition that owns a profile: FNV-1a (32-bit) of the profile id's UTF-16 code units,
 * modulo the partition count. Stable across processes and versions — changing it moves every
 * profile — and cheap enough to run per event at the edge.
 */
export function partitionOf(profileId: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new RangeError(`the partition count must be a positive integer, not ${partitions}`);
  }
  let hash = 0x811c9dc5;
  for (let i = 0; i < profileId.length; i += 1) {
    hash ^= profileId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}
