import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { TailorError } from '../../errors.ts';

/** The writer lock a SQLite store holds on its file for as long as it is open. */
export interface SqliteWriterLock {
  /** Where the lock lives: the database path with `.lock` appended. */
  readonly path: string;
  /** Lets the next process (or store) take it; safe to call twice. */
  release(): void;
}

/** `SQLITE_BUSY`: the lock file is locked by another connection, in this process or another. */
function isBusy(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'SQLITE_BUSY';
}

/**
 * Takes the one-writer lock of the SQLite database at `databasePath`, or fails with
 * `STORE_LOCKED`. The lock is an exclusive SQLite transaction, never committed, on an empty
 * side file `<db>.lock`: SQLite holds it with an OS record lock (`fcntl`), which the kernel
 * drops when the process ends, `kill -9` included, so a crash never leaves a stale lock and no
 * pid has to be checked. The database itself stays open to readers (backups, the `sqlite3`
 * shell, a second read connection), which `locking_mode = EXCLUSIVE` on it would block.
 * Like SQLite's own locking, it is not reliable on network file systems.
 */
export function takeSqliteWriterLock(databasePath: string): SqliteWriterLock {
  const path = `${databasePath}.lock`;
  // Created empty and private first: SQLite would create it 0644, and it never writes to it.
  closeSync(openSync(path, 'a', 0o600));
  const connection = new Database(path, { timeout: 0 });
  try {
    // Nothing is ever written: no journal file beside it.
    connection.pragma('journal_mode = MEMORY');
    connection.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    connection.close();
    if (!isBusy(error)) throw error;
    throw new TailorError(
      'STORE_LOCKED',
      `the SQLite database ${databasePath} is in use by another Tailor process (it holds ${path}): stop that process, or start this one with another --data-dir or --store`,
    );
  }
  return {
    path,
    release() {
      if (connection.open) connection.close();
    },
  };
}
