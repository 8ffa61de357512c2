import { TailorError } from '../../src/errors.ts';

/** Runs `run` and returns the TailorError it throws; fails the test when it throws nothing or something else. */
export function thrownTailorError(run: () => unknown): TailorError {
  try {
    run();
  } catch (error) {
    if (error instanceof TailorError) return error;
    throw error;
  }
  throw new Error('expected a TailorError');
}
