import { describe, expect, it } from 'vitest';
import type { LeaseStatus } from '../../src/cluster/partition-lease.ts';
import { planLeases } from '../../src/cluster/plan-leases.ts';

function held(owner: string, partitions: number[], expired = false): LeaseStatus[] {
  return partitions.map((partition) => ({ partition, owner, token: 1, expiresAt: 0, expired }));
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('planLeases', () => {
  it.each([
    {
      name: 'a lone node takes every partition',
      self: 'a',
      nodes: ['a'],
      leases: [],
      take: range(0, 8),
      release: [],
    },
    {
      name: 'two nodes starting together reach for different halves (a)',
      self: 'a',
      nodes: ['a', 'b'],
      leases: [],
      take: [0, 1, 2, 3],
      release: [],
    },
    {
      name: 'two nodes starting together reach for different halves (b)',
      self: 'b',
      nodes: ['b', 'a'],
      leases: [],
      take: [4, 5, 6, 7],
      release: [],
    },
    {
      name: 'a node that joins takes nothing still leased',
      self: 'b',
      nodes: ['a', 'b'],
      leases: held('a', range(0, 8)),
      take: [],
      release: [],
    },
    {
      name: 'the node over its share releases its highest partitions',
      self: 'a',
      nodes: ['a', 'b'],
      leases: held('a', range(0, 8)),
      take: [],
      release: [7, 6, 5, 4],
    },
    {
      name: 'then the new node takes the released ones',
      self: 'b',
      nodes: ['a', 'b'],
      leases: [...held('a', range(0, 4)), ...held('a', range(4, 8), true)],
      take: [4, 5, 6, 7],
      release: [],
    },
    {
      name: "a dead node's run-out leases go to the live ones, up to their share",
      self: 'a',
      nodes: ['a', 'b'],
      leases: [...held('a', [0, 1, 2]), ...held('b', [3, 4, 5]), ...held('c', [6, 7], true)],
      take: [6],
      release: [],
    },
    {
      name: 'its own run-out leases count as held (renewed, not taken again)',
      self: 'a',
      nodes: ['a'],
      leases: held('a', range(0, 8), true),
      take: [],
      release: [],
    },
    {
      name: 'the first P mod n nodes hold one more',
      self: 'c',
      nodes: ['a', 'b', 'c'],
      leases: [...held('a', [0, 1, 2]), ...held('b', [3, 4, 5])],
      take: [6, 7],
      release: [],
    },
  ])('$name', ({ self, nodes, leases, take, release }) => {
    expect(planLeases({ partitions: 8, self, nodes, leases })).toMatchObject({ take, release });
  });

  it('settles every partition on exactly one node, with shares that differ by at most one', () => {
    for (const count of [1, 2, 3, 5, 7]) {
      const nodes = range(0, count).map((i) => `node-${i}`);
      let leases: LeaseStatus[] = [];
      // Rounds of every node in turn; a take succeeds only if the partition is still free then.
      for (let round = 0; round < 4; round += 1) {
        for (const self of nodes) {
          const plan = planLeases({ partitions: 64, self, nodes, leases });
          leases = leases.map((lease) =>
            lease.owner === self && plan.release.includes(lease.partition)
              ? { ...lease, expired: true }
              : lease,
          );
          for (const partition of plan.take) {
            const current = leases.find((lease) => lease.partition === partition);
            if (current !== undefined && !current.expired) continue;
            leases = [
              ...leases.filter((lease) => lease.partition !== partition),
              { partition, owner: self, token: (current?.token ?? 0) + 1, expiresAt: 0, expired: false },
            ];
          }
        }
      }
      const live = leases.filter((lease) => !lease.expired);
      expect(new Set(live.map((lease) => lease.partition)).size).toBe(64);
      const shares = nodes.map((node) => live.filter((lease) => lease.owner === node).length);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
    }
  });
});
