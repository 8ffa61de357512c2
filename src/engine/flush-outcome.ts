/**
 * What one group-commit flush did. The group commit needs to know more than "it threw": a
 * failure that wrote nothing durable can be retried submission by submission, so one bad event
 * fails only its own request; a failure after the events were appended (applying them, the
 * outbox, the view) or whose commit is in doubt cannot, because the retried events would be
 * logged duplicates that are never applied.
 */
export type FlushOutcome<R> =
  /** Written and applied: one result per item, in order. */
  | { kind: 'flushed'; results: R[] }
  /** Failed before anything was durable: safe to split the group and retry. */
  | { kind: 'unwritten'; error: unknown }
  /**
   * Failed after (or maybe after) writing, or in a way a retry would meet again (the store is
   * unavailable): every submission of the group fails with `error`, at once.
   */
  | { kind: 'failed'; error: unknown };
