import type { SegmentHour } from '../store/ports/view-store.ts';
import { hourOf } from '../time/hour-of.ts';

/**
 * Entries into and exits from segments counted by hour, between two view commits: what a
 * commit adds to the store's counts (`ViewCommit.segmentHours`).
 */
export class SegmentHourCounts {
  private readonly hours = new Map<string, SegmentHour>();

  constructor(private readonly workspaceId: string) {}

  /** Counts one entry into, or exit from, `segment` at `at` (epoch ms). */
  count(segment: string, at: number, move: 'entries' | 'exits'): void {
    this.bump({
      segment,
      hour: hourOf(at),
      entries: move === 'entries' ? 1 : 0,
      exits: move === 'exits' ? 1 : 0,
    });
  }

  /** Adds another set of counts to these (a failed commit's, put back). */
  add(other: SegmentHourCounts): void {
    for (const row of other.rows()) this.bump(row);
  }

  private bump(counts: { segment: string; hour: number; entries: number; exits: number }): void {
    const key = `${counts.segment}\u0000${counts.hour}`;
    const row = this.hours.get(key);
    if (row === undefined) {
      this.hours.set(key, { workspaceId: this.workspaceId, ...counts });
      return;
    }
    row.entries += counts.entries;
    row.exits += counts.exits;
  }

  rows(): SegmentHour[] {
    return [...this.hours.values()];
  }

  get size(): number {
    return this.hours.size;
  }
}
