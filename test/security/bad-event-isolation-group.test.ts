import { describe, expect, it } from 'vitest';
import type { FlushOutcome } from '../../src/engine/flush-outcome.ts';
import { GroupCommit } from '../../src/engine/group-commit.ts';

/** A flush over numbers where a negative one makes the write fail before anything is durable. */
function flushRefusingNegatives(flushes: number[][]) {
  return async (items: number[]): Promise<FlushOutcome<number>> => {
    flushes.push(items);
    if (items.some((n) => n < 0)) return { kind: 'unwritten', error: new Error(`bad item in ${items}`) };
    return { kind: 'flushed', results: items.map((n) => n * 10) };
  };
}

describe('group commit: one bad submission', () => {
  it('retries a group whose flush wrote nothing submission by submission, so only the bad one fails', async () => {
    const flushes: number[][] = [];
    const group = new GroupCommit<number, number>({
      maxPending: 100,
      flush: flushRefusingNegatives(flushes),
    });
    const answers = await Promise.allSettled([
      group.submit([1, 2]),
      group.submit([3, -1]),
      group.submit([4], 'internal'),
      group.submit([5]),
    ]);
    expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(answers[0]).toMatchObject({ value: [10, 20] });
    expect(answers[2]).toMatchObject({ value: [40] });
    expect(answers[3]).toMatchObject({ value: [50] });
    // One failed group of all, then each submission alone, in submission order.
    expect(flushes).toEqual([[1, 2, 3, -1, 4, 5], [1, 2], [3, -1], [4], [5]]);
  });

  it('fails the whole group, without retrying, when the flush failed after writing', async () => {
    const flushes: number[][] = [];
    const group = new GroupCommit<number, number>({
      maxPending: 100,
      flush: async (items): Promise<FlushOutcome<number>> => {
        flushes.push(items);
        return { kind: 'failed', error: new Error('apply failed after the append') };
      },
    });
    const answers = await Promise.allSettled([group.submit([1]), group.submit([2])]);
    expect(answers.map((a) => a.status)).toEqual(['rejected', 'rejected']);
    expect(flushes).toEqual([[1, 2]]);
  });
});
