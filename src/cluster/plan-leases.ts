import type { LeaseStatus } from './partition-lease.ts';

/** What one node sees when it plans: the partition count, the live nodes and every lease. */
export interface LeasePlanInput {
  partitions: number;
  /** This node's id. */
  self: string;
  /** The ids of the nodes alive now (heartbeats within a lease's length), this one included or not. */
  nodes: readonly string[];
  leases: readonly LeaseStatus[];
}

/** What the node should do this round: partitions to try to take, and its own to let go. */
export interface LeasePlan {
  take: number[];
  release: number[];
  /** How many partitions this node should hold once the cluster has settled. */
  target: number;
}

/**
 * One round of rebalancing, decided by each node alone, with no coordinator. The live nodes,
 * sorted, split the partitions into shares that differ by at most one (the first `P mod n` nodes
 * hold one more). A node over its share releases its highest-numbered partitions; one under it
 * tries to take free ones — never leased, released, or run out — starting at a different place
 * for each node, so nodes starting together mostly reach for different partitions. A lease still
 * running is never taken: its owner, over its share, releases it in its own round. Its own leases
 * count as held even when run out, since a renewal keeps them while nobody took them.
 */
export function planLeases(input: LeasePlanInput): LeasePlan {
  const { partitions, self } = input;
  const nodes = [...new Set([...input.nodes, self])].sort();
  const index = nodes.indexOf(self);
  const target = Math.floor(partitions / nodes.length) + (index < partitions % nodes.length ? 1 : 0);
  const leaseOf = new Map(input.leases.map((lease) => [lease.partition, lease]));
  const mine = input.leases
    .filter((lease) => lease.owner === self && lease.partition < partitions)
    .map((lease) => lease.partition)
    .sort((a, b) => a - b);
  if (mine.length > target) {
    return { take: [], release: mine.slice(target).reverse(), target };
  }
  const start = index * Math.floor(partitions / nodes.length);
  const take: number[] = [];
  for (let step = 0; step < partitions && take.length < target - mine.length; step += 1) {
    const partition = (start + step) % partitions;
    const lease = leaseOf.get(partition);
    if (lease === undefined || (lease.expired && lease.owner !== self)) take.push(partition);
  }
  return { take, release: [], target };
}
