import type { Database } from 'better-sqlite3';

/** The row of `store_maintenance` that says freed pages of this file were scrubbed once. */
const SCRUBBED = 'secure-delete-scrub';

/**
 * Makes deleted content unreadable in the file from now on and, once per database, for what
 * was deleted before: called on open, right after the schema migration.
 *
 * `secure_delete = ON` zeroes every freed cell and page as SQLite frees it — a profile's JSON
 * rewritten at each view commit, an erased person's rows. `FAST` would not zero freed overflow
 * and freelist pages, where most of that JSON lives, so it is not enough.
 *
 * A database written by a Tailor without it still holds old copies in free space: a non-empty
 * database without the `store_maintenance` mark is rebuilt once with `VACUUM` (on open, not on
 * the first erase, so that cost — a full copy of the file — is paid at a start the operator
 * chose, not inside a request), then the WAL is truncated. A crash before the mark is written
 * only means the VACUUM runs again. `VACUUM` copies through a temporary database, which
 * `temp_store = MEMORY` keeps off the disk.
 */
export function scrubOnOpen(db: Database, fresh: boolean): void {
  db.pragma('secure_delete = ON');
  db.exec('CREATE TABLE IF NOT EXISTS store_maintenance (task TEXT PRIMARY KEY, done_at INTEGER NOT NULL)');
  // A crash between an erase's commit and its WAL truncation left the old frames: drop them
  // now (a reader blocking it here is retried by the next erase or a clean stop).
  truncateWal(db);
  const done = db.prepare('SELECT 1 FROM store_maintenance WHERE task = ?').get(SCRUBBED);
  if (done !== undefined) return;
  // Marked only once the WAL is truncated too: a reader that blocked it means another VACUUM next open.
  if (!fresh) {
    db.exec('VACUUM');
    if (!truncateWal(db)) return;
  }
  db.prepare('INSERT OR IGNORE INTO store_maintenance (task, done_at) VALUES (?, ?)').run(
    SCRUBBED,
    Date.now(),
  );
}

/**
 * Copies every committed page from the WAL into the database file and truncates the WAL to
 * zero bytes, so page images written before an erase (the erased rows as they were) are gone
 * from `-wal`. It waits for readers up to the busy timeout; false when a reader outlasts it
 * (another process holding a read transaction) and the WAL keeps its frames.
 */
export function truncateWal(db: Database): boolean {
  // A checkpoint running on another connection (the checkpoint thread's) makes this one busy
  // at once, whatever the busy timeout: it is retried for up to a second.
  for (let attempt = 0; ; attempt += 1) {
    const result: unknown = db.pragma('wal_checkpoint(TRUNCATE)', { simple: false });
    const row = Array.isArray(result) ? result[0] : undefined;
    if (!isBusy(row)) return true;
    if (attempt >= TRUNCATE_ATTEMPTS) return false;
    Atomics.wait(PAUSE, 0, 0, TRUNCATE_PAUSE_MS);
  }
}

/** Tries (and pause between them) of `truncateWal` while another connection checkpoints. */
const TRUNCATE_ATTEMPTS = 40;
const TRUNCATE_PAUSE_MS = 25;
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

function isBusy(row: unknown): boolean {
  return typeof row === 'object' && row !== null && 'busy' in row && row.busy !== 0;
}
