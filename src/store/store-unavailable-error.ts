import { TailorError } from '../errors.ts';

/**
 * Thrown by a store when the database could not be reached or dropped the connection (a
 * restart, a failover, a killed backend): a routine, transient fault, not a bug. It is a
 * catalogue error, so the HTTP layer answers 503 `STORE_UNAVAILABLE` with `Retry-After`, and
 * the group commit fails a group at once instead of retrying request by request against a
 * database that is away. `cause` is the driver's error.
 */
export class StoreUnavailableError extends TailorError {
  constructor(cause: unknown) {
    super('STORE_UNAVAILABLE');
    this.name = 'StoreUnavailableError';
    this.cause = cause;
  }
}

/** Narrows a thrown value to a StoreUnavailableError. */
export function isStoreUnavailable(error: unknown): error is StoreUnavailableError {
  return error instanceof StoreUnavailableError;
}
