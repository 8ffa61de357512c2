import type { LoggedEvent, TailorEvent } from '../../ingest/event.ts';

/**
 * The event log, the source of truth: events appended durably in order, each once per
 * (workspace, messageId), and read back by position. Everything else in the store can be rebuilt
 * by replaying it.
 */
export interface EventLog {
  /**
   * Appends events in one durable transaction, in order. An event whose (workspace,
   * messageId) is already logged is not appended again. Resolves only once on disk. All or
   * nothing: when it throws, no event of the call was appended, except when the error is an
   * `AppendInDoubtError` (the commit's outcome is unknown).
   */
  appendEvents(events: EventToAppend[]): Promise<AppendOutcome[]>;
  /** Events with `seq > afterSeq` in log order, at most `limit`, optionally of one workspace. */
  readEvents(query: { afterSeq: number; limit: number; workspaceId?: string }): Promise<LoggedEvent[]>;
  /** The workspace's logged events with these message ids, in log order (absent ids are skipped). */
  readEventsById(workspaceId: string, messageIds: string[]): Promise<LoggedEvent[]>;
  /** The highest seq in the log (0 when empty). */
  lastSeq(): Promise<number>;
}

/** An event to append, with the workspace it belongs to. */
export interface EventToAppend {
  workspaceId: string;
  event: TailorEvent;
}

/** The outcome of appending one event: its position, or that its messageId was already logged. */
export type AppendOutcome = { kind: 'appended'; seq: number } | { kind: 'duplicate' };
