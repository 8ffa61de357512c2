/**
 * Thrown by `Store.appendEvents` when the commit of the append failed in a way that leaves its
 * outcome unknown (a PostgreSQL connection lost during `COMMIT`): the events may be in the log.
 * Any other error from `appendEvents` means nothing of the call was appended, which is what lets
 * the engine retry the other requests of a failed group commit. `cause` is the original error.
 */
export class AppendInDoubtError extends Error {
  constructor(cause: unknown) {
    super(`the event log append may or may not have been committed: ${String(cause)}`, { cause });
    this.name = 'AppendInDoubtError';
  }
}

/** Narrows a thrown value to an AppendInDoubtError. */
export function isAppendInDoubt(error: unknown): error is AppendInDoubtError {
  return error instanceof AppendInDoubtError;
}
