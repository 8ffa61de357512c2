import { TailorError } from '../../errors.ts';

/**
 * Thrown by the JetStream log when NATS cannot be reached, the connection dropped, or JetStream
 * did not acknowledge within the timeout: a routine, transient fault. It is a catalogue error,
 * so HTTP answers 503 `BUS_UNAVAILABLE`. After a failed append some of its events may be in the
 * log; a retry with the same messageIds is answered as duplicates for those. `cause` is the
 * client's error.
 */
export class BusUnavailableError extends TailorError {
  constructor(detail: string, cause: unknown) {
    super('BUS_UNAVAILABLE', `the event bus is unavailable: ${detail}`);
    this.name = 'BusUnavailableError';
    this.cause = cause;
  }
}

/** Narrows a thrown value to a BusUnavailableError. */
export function isBusUnavailable(error: unknown): error is BusUnavailableError {
  return error instanceof BusUnavailableError;
}
