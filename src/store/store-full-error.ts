import { TailorError } from '../errors.ts';

/**
 * Thrown by a store when the disk holding the database is full: the write was rolled back and
 * nothing of it is stored. A catalogue error, so the HTTP layer answers 503 `STORE_FULL` with
 * `Retry-After`, and the writer holds until a write succeeds again. `cause` is the driver's error.
 */
export class StoreFullError extends TailorError {
  constructor(cause: unknown) {
    super('STORE_FULL');
    this.name = 'StoreFullError';
    this.cause = cause;
  }
}
