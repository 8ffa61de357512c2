import { type LoggedEvent, toLoggedEvent } from '../../ingest/event.ts';
import type { EventToAppend } from '../ports/event-log.ts';
import type { PartitionAppendOutcome, PartitionLog } from '../ports/partition-log.ts';

/**
 * The partition log in the process's memory: one sequence shared by every partition, as a
 * JetStream stream has, and de-duplication for the log's whole life (a window that never ends).
 * Nothing is durable: it is the in-process bus for a cluster's parts run in one process and
 * their tests, and the second adapter the partition log's contract suite runs against.
 */
export class MemoryPartitionLog implements PartitionLog {
  private readonly partitions = new Map<number, LoggedEvent[]>();
  private readonly seen = new Map<string, number>();
  private seq = 0;

  async append(partition: number, events: EventToAppend[]): Promise<PartitionAppendOutcome[]> {
    const entries = this.entriesOf(partition);
    return events.map(({ workspaceId, event }): PartitionAppendOutcome => {
      const key = `${workspaceId}\u0000${event.messageId}`;
      const first = this.seen.get(key);
      if (first !== undefined) return { kind: 'duplicate', seq: first };
      this.seq += 1;
      this.seen.set(key, this.seq);
      // A copy, as a log that serializes would keep: later changes to the caller's object do not reach it.
      entries.push(toLoggedEvent(structuredClone(event), this.seq, workspaceId));
      return { kind: 'appended', seq: this.seq };
    });
  }

  async read(query: { partition: number; afterSeq: number; limit: number }): Promise<LoggedEvent[]> {
    const entries = this.entriesOf(query.partition);
    if (query.limit <= 0) return [];
    const from = entries.findIndex((entry) => entry.seq > query.afterSeq);
    return from < 0 ? [] : entries.slice(from, from + query.limit).map((entry) => structuredClone(entry));
  }

  async lastSeq(partition: number): Promise<number> {
    return this.entriesOf(partition).at(-1)?.seq ?? 0;
  }

  async close(): Promise<void> {}

  private entriesOf(partition: number): LoggedEvent[] {
    if (!Number.isSafeInteger(partition) || partition < 0) {
      throw new RangeError(`a partition is a non-negative integer, not ${partition}`);
    }
    let entries = this.partitions.get(partition);
    if (entries === undefined) {
      entries = [];
      this.partitions.set(partition, entries);
    }
    return entries;
  }
}
