import { describe, expect, it } from 'vitest';
import type { FlushOutcome } from '../../src/engine/flush-outcome.ts';
import { GroupCommit } from '../../src/engine/group-commit.ts';

/** A flush the test releases by hand, so it decides what waits while the writer is busy. */
function heldFlush() {
  const flushes: number[][] = [];
  const releases: (() => void)[] = [];
  const flush = (items: number[]): Promise<FlushOutcome<number>> => {
    flushes.push(items);
    return new Promise((resolve) => releases.push(() => resolve({ kind: 'flushed', results: items })));
  };
  const releaseNext = async (): Promise<void> => {
    while (releases.length === 0) await new Promise((resolve) => setImmediate(resolve));
    releases.shift()?.();
  };
  return { flush, flushes, releaseNext };
}

describe('group commit under overload', () => {
  it('never refuses internal records because clients filled the queue', async () => {
    const held = heldFlush();
    const group = new GroupCommit<number, number>({ maxPending: 2, flush: held.flush });
    const busy = group.submit([0]);
    await new Promise((resolve) => setImmediate(resolve));
    const clients = group.submit([1, 2]);
    await expect(group.submit([3])).rejects.toMatchObject({ code: 'OVERLOADED' });
    const internal = group.submit([4, 5, 6], 'internal');
    expect(group.pending).toBe(5);
    await held.releaseNext();
    await expect(busy).resolves.toEqual([0]);
    await held.releaseNext();
    await expect(clients).resolves.toEqual([1, 2]);
    await expect(internal).resolves.toEqual([4, 5, 6]);
    expect(held.flushes).toEqual([[0], [1, 2, 4, 5, 6]]);
  });

  it('refuses a client submission that waited past maxWaitMs, writes nothing of it, and keeps internal ones', async () => {
    let now = 0;
    const held = heldFlush();
    const group = new GroupCommit<number, number>({
      maxPending: 100,
      maxWaitMs: 2_000,
      now: () => now,
      flush: held.flush,
    });
    const first = group.submit([1]);
    await new Promise((resolve) => setImmediate(resolve));
    const late = group.submit([2]);
    const internal = group.submit([3], 'internal');
    now = 1_500;
    expect(group.oldestClientWaitMs()).toBe(1_500);
    now = 2_001;
    await held.releaseNext();
    await expect(first).resolves.toEqual([1]);
    await expect(late).rejects.toMatchObject({ code: 'OVERLOADED', status: 429 });
    await held.releaseNext();
    await expect(internal).resolves.toEqual([3]);
    expect(held.flushes).toEqual([[1], [3]]);
    expect(group.oldestClientWaitMs()).toBe(0);
  });

  it('flushes at most maxGroupItems at once, never splitting a submission, and lets I/O in between flushes', async () => {
    const flushes: number[][] = [];
    const between: string[] = [];
    const group = new GroupCommit<number, number>({
      maxPending: 100,
      maxGroupItems: 3,
      flush: async (items) => {
        flushes.push(items);
        between.push('flush');
        setImmediate(() => between.push('io'));
        return { kind: 'flushed', results: items };
      },
    });
    await Promise.all([
      group.submit([1, 2]),
      group.submit([3]),
      group.submit([4, 5, 6, 7]),
      group.submit([8]),
    ]);
    expect(flushes).toEqual([[1, 2, 3], [4, 5, 6, 7], [8]]);
    // The callback queued during each flush ran before the next flush started.
    expect(between.slice(0, 5)).toEqual(['flush', 'io', 'flush', 'io', 'flush']);
  });
});
