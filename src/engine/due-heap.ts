/** Stale entries tolerated beyond twice the live ones before the heap is rebuilt. */
const COMPACT_SLACK = 1_024;

/**
 * The due moments of profiles held in memory, earliest first: a binary min-heap with one live
 * entry per profile (`schedule` replaces the previous one; stale entries are skipped when they
 * surface), so timers find what is due without looking at every profile.
 */
export class DueHeap {
  private readonly heap: { due: number; id: string }[] = [];
  private readonly scheduled = new Map<string, number>();

  /** Schedules a profile at `due`, or unschedules it when `due` is undefined. */
  schedule(id: string, due: number | undefined): void {
    if (due === undefined) {
      this.scheduled.delete(id);
      return;
    }
    if (this.scheduled.get(id) === due) return;
    this.scheduled.set(id, due);
    this.heap.push({ due, id });
    this.up(this.heap.length - 1);
    if (this.heap.length > 2 * this.scheduled.size + COMPACT_SLACK) this.compact();
  }

  /** Forgets a profile (evicted or gone). */
  forget(id: string): void {
    this.scheduled.delete(id);
  }

  /** The earliest live due moment, if any. */
  peek(): number | undefined {
    this.dropStale();
    return this.heap[0]?.due;
  }

  /** Removes and returns the ids due at or before `at`, earliest first. */
  takeDue(at: number): string[] {
    const ids: string[] = [];
    for (let top = this.liveTop(); top !== undefined && top.due <= at; top = this.liveTop()) {
      this.pop();
      this.scheduled.delete(top.id);
      ids.push(top.id);
    }
    return ids;
  }

  /** Profiles scheduled. */
  get size(): number {
    return this.scheduled.size;
  }

  /** Entries held, live and stale (bounded by compaction). */
  get entries(): number {
    return this.heap.length;
  }

  /** Drops every stale entry at once, so a profile rescheduled on each event never grows the heap unbounded. */
  private compact(): void {
    this.heap.length = 0;
    for (const [id, due] of this.scheduled) this.heap.push({ due, id });
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i -= 1) this.down(i);
  }

  private liveTop(): { due: number; id: string } | undefined {
    this.dropStale();
    return this.heap[0];
  }

  private dropStale(): void {
    for (let top = this.heap[0]; top !== undefined; top = this.heap[0]) {
      if (this.scheduled.get(top.id) === top.due) return;
      this.pop();
    }
  }

  private pop(): void {
    const last = this.heap.pop();
    if (last === undefined || this.heap.length === 0) return;
    this.heap[0] = last;
    this.down(0);
  }

  private up(start: number): void {
    const { heap } = this;
    let i = start;
    const item = heap[i];
    if (item === undefined) return;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent];
      if (above === undefined || above.due <= item.due) break;
      heap[i] = above;
      i = parent;
    }
    heap[i] = item;
  }

  private down(start: number): void {
    const { heap } = this;
    let i = start;
    const item = heap[i];
    if (item === undefined) return;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let child = left;
      const l = heap[left];
      const r = heap[right];
      if (l === undefined) break;
      if (r !== undefined && r.due < l.due) child = right;
      const below = heap[child];
      if (below === undefined || below.due >= item.due) break;
      heap[i] = below;
      i = child;
    }
    heap[i] = item;
  }
}
