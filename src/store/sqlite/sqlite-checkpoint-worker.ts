/**
 * The SQLite checkpoint thread's entry (see `SqliteCheckpoints`): a connection of its own that
 * copies committed pages from the WAL into the database file every `intervalMs`.
 */

import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const port = parentPort;
if (port === null) throw new Error('sqlite-checkpoint-worker runs as a worker thread');
const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const db = new Database(path);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try {
    // PASSIVE never waits for, nor blocks, the writer or the readers.
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // A full disk or an I/O error: the writer meets and reports it on its own commits, and
    // the next checkpoint tries again.
  }
}, intervalMs);
port.on('message', (message: unknown) => {
  if (message !== 'close') return;
  clearInterval(timer);
  db.close();
  port.close();
});
