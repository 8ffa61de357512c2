import { SqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

const ACCEPTED = 'sqlite:<path> (or a bare file path) or postgres://user:pass@host/db';

/**
 * Opens the store a URL names: `sqlite:<path>` or a bare path gives the embedded SQLite
 * store. PostgreSQL URLs are recognised but its adapter does not exist yet, so they fail
 * with a message saying what to use instead.
 */
export function openStore(url: string): Store {
  if (url.startsWith('sqlite:')) return new SqliteStore({ path: url.slice('sqlite:'.length) });
  if (/^postgres(ql)?:\/\//.test(url)) {
    throw new Error('PostgreSQL store is not available yet: use sqlite:<path>');
  }
  if (url === '' || /^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new Error(`Unsupported store URL "${url}": use ${ACCEPTED}`);
  }
  return new SqliteStore({ path: url });
}
