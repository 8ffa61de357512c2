import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/engine/group-commit.ts';

describe('GroupCommit', () => {
  it('flushes everything submitted together in one call, and answers each caller with its own results', async () => {
    const flushes: number[][] = [];
    const group = new GroupCommit<number, string>({
      maxPending: 100,
      flush: async (items) => {
        flushes.push(items);
        return { kind: 'flushed', results: items.map((n) => `r${n}`) };
      },
    });
    const [a, b, c] = await Promise.all([group.submit([1, 2]), group.submit([3]), group.submit([4, 5, 6])]);
    expect(flushes).toEqual([[1, 2, 3, 4, 5, 6]]);
    expect([a, b, c]).toEqual([['r1', 'r2'], ['r3'], ['r4', 'r5', 'r6']]);
  });

  it('refuses with OVERLOADED rather than queueing without bound', async () => {
    const group = new GroupCommit<number, number>({
      maxPending: 3,
      flush: async (items) => ({ kind: 'flushed', results: items }),
    });
    const first = group.submit([1, 2, 3]);
    await expect(group.submit([4])).rejects.toMatchObject({ code: 'OVERLOADED', status: 429 });
    await expect(first).resolves.toEqual([1, 2, 3]);
    await expect(group.submit([5])).resolves.toEqual([5]);
  });

  it('rejects every caller of a failed flush, and keeps serving afterwards', async () => {
    let fail = true;
    const group = new GroupCommit<number, number>({
      maxPending: 10,
      flush: async (items) => {
        if (fail) throw new Error('disk full');
        return { kind: 'flushed', results: items };
      },
    });
    await expect(Promise.all([group.submit([1]), group.submit([2])])).rejects.toThrow('disk full');
    fail = false;
    await expect(group.submit([3])).resolves.toEqual([3]);
  });

  it('on hold, refuses clients at once and keeps internal submissions, in order, until released', async () => {
    const flushes: number[][] = [];
    let failNext = false;
    const group = new GroupCommit<number, number>({
      maxPending: 10,
      flush: async (items) => {
        if (failNext) {
          failNext = false;
          // The writer stops during this flush, as a storage fault past an append does.
          group.hold(new Error('recovering'));
          return { kind: 'failed', error: new Error('store away') };
        }
        flushes.push(items);
        return { kind: 'flushed', results: items };
      },
    });
    failNext = true;
    const client = group.submit([1]);
    const internalA = group.submit([2], 'internal');
    const internalB = group.submit([3], 'internal');
    await expect(client).rejects.toThrow('store away');
    await expect(group.submit([4])).rejects.toThrow('recovering');
    const internalC = group.submit([5], 'internal');
    await group.settled();
    expect(flushes).toEqual([]);
    expect(group.pending).toBe(3);
    group.release();
    await expect(Promise.all([internalA, internalB, internalC])).resolves.toEqual([[2], [3], [5]]);
    expect(flushes).toEqual([[2, 3, 5]]);
    await expect(group.submit([6])).resolves.toEqual([6]);
  });
});
