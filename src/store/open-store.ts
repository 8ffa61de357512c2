import { PostgresStore } from './postgres/postgres-store.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

const ACCEPTED = 'sqlite:<path> (or a bare file path) or postgres://user:pass@host/db[?schema=name]';

/**
 * Opens a PostgreSQL store from its URL. `?schema=` picks the schema holding the tables
 * (default `tailor`) and is removed before the URL reaches the driver, which would not know it.
 */
function openPostgres(url: string): PostgresStore {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  return new PostgresStore({
    connectionString: parsed.toString(),
    ...(schema !== undefined ? { schema } : {}),
  });
}

/**
 * Opens the store a URL names: `sqlite:<path>` or a bare path gives the embedded SQLite
 * store; `postgres://` or `postgresql://` gives the PostgreSQL store (call `migrate` before
 * use). Other schemes fail with a message listing what is accepted.
 */
export function openStore(url: string): Store {
  if (url.startsWith('sqlite:')) return new SqliteStore({ path: url.slice('sqlite:'.length) });
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url);
  if (url === '' || /^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new Error(`Unsupported store URL "${url}": use ${ACCEPTED}`);
  }
  return new SqliteStore({ path: url });
}
