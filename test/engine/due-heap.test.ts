import { describe, expect, it } from 'vitest';
import { DueHeap } from '../../src/engine/due-heap.ts';
import { seededRandom } from '../support/seeded-random.ts';

describe('DueHeap', () => {
  it('hands out due profiles earliest first, each once, with rescheduling and forgetting', () => {
    const heap = new DueHeap();
    heap.schedule('a', 30);
    heap.schedule('b', 10);
    heap.schedule('c', 20);
    heap.schedule('b', 40); // moved later: the entry at 10 is stale
    heap.schedule('d', 5);
    heap.forget('d');
    heap.schedule('e', undefined);
    expect(heap.peek()).toBe(20);
    expect(heap.takeDue(30)).toEqual(['c', 'a']);
    expect(heap.takeDue(30)).toEqual([]);
    expect(heap.size).toBe(1);
    expect(heap.takeDue(100)).toEqual(['b']);
    expect(heap.peek()).toBeUndefined();
  });

  it('agrees with sorting under many random reschedules, and compacts stale entries', () => {
    const random = seededRandom(7);
    const heap = new DueHeap();
    const latest = new Map<string, number>();
    for (let i = 0; i < 50_000; i += 1) {
      const id = `p${Math.floor(random() * 500)}`;
      const due = Math.floor(random() * 1_000_000);
      heap.schedule(id, due);
      latest.set(id, due);
    }
    // 50,000 schedules for 500 profiles: without compaction the heap would hold them all.
    expect(heap.entries).toBeLessThanOrEqual(2 * 500 + 1_024 + 1);
    const expected = [...latest].sort(([a, x], [b, y]) => x - y || (a < b ? -1 : 1));
    const taken = heap.takeDue(Number.POSITIVE_INFINITY);
    expect(taken).toHaveLength(latest.size);
    expect(taken.map((id) => latest.get(id))).toEqual(expected.map(([, due]) => due));
  });
});
