import type { LoggedEvent } from '../../ingest/event.ts';
import type { EventToAppend } from './event-log.ts';

/**
 * The event log of a cluster: one ordered log per partition of profiles, shared by every node
 * (NATS JetStream: one stream, a subject per partition). Positions (`seq`) are the stream's:
 * they grow within a partition but have gaps, since the partitions share one sequence. Unlike
 * `EventLog`, an append is not all or nothing: when it throws, some of its events may be
 * logged, and the retry, with the same messageIds, is answered as duplicates for those.
 */
export interface PartitionLog {
  /**
   * Appends events to one partition, in order, resolving once the log acknowledged every one
   * as durable. An event whose (workspace, messageId) the log saw within its de-duplication
   * window is not appended again (`duplicate`, with the first copy's position); past the window,
   * the applier's message-id index is what keeps it applied once.
   */
  append(partition: number, events: EventToAppend[]): Promise<PartitionAppendOutcome[]>;
  /** The partition's events with `seq > afterSeq` in log order, at most `limit`. */
  read(query: { partition: number; afterSeq: number; limit: number }): Promise<LoggedEvent[]>;
  /** The position of the partition's last event (0 when it has none). */
  lastSeq(partition: number): Promise<number>;
  /** Lets go of the connection; the log's content stays. */
  close(): Promise<void>;
}

/** The outcome of appending one event: logged at `seq`, or already logged at `seq`. */
export type PartitionAppendOutcome = { kind: 'appended'; seq: number } | { kind: 'duplicate'; seq: number };
