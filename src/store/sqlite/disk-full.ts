import { StoreFullError } from '../store-full-error.ts';

/**
 * SQLite's answer when a write needs a page the disk cannot give (`SQLITE_FULL`): it rolled the
 * transaction back, and the database stays as it was, so a later write may succeed once space
 * is freed. Other I/O errors are not mapped: they stay internal errors.
 */
export function isDiskFull(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'SQLITE_FULL';
}

/** `error` as a StoreFullError when it says the disk is full, else as it is. */
export function asDiskFull(error: unknown): unknown {
  return isDiskFull(error) ? new StoreFullError(error) : error;
}
