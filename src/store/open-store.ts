import { PostgresStore } from './postgres/postgres-store.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

const ACCEPTED =
  'sqlite:<path> (or a bare file path) or postgres://user:pass@host/db[?schema=name&query_timeout_ms=30000]';

/**
 * Opens a PostgreSQL store from its URL. `?schema=` picks the schema holding the tables
 * (default `tailor`) and `?query_timeout_ms=` how long a query may wait for the server (default
 * 30,000); both are removed before the URL reaches the driver, which would not know them.
 */
function openPostgres(url: string): PostgresStore {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  const timeout = parsed.searchParams.get('query_timeout_ms') ?? undefined;
  parsed.searchParams.delete('schema');
  parsed.searchParams.delete('query_timeout_ms');
  if (timeout !== undefined && !/^[1-9][0-9]*$/.test(timeout))
    throw new Error(
      `query_timeout_ms in the store URL must be a whole number of milliseconds, got "${timeout}"`,
    );
  return new PostgresStore({
    connectionString: parsed.toString(),
    ...(schema !== undefined ? { schema } : {}),
    ...(timeout !== undefined ? { queryTimeoutMs: Number(timeout) } : {}),
  });
}

/**
 * Opens the store a URL names: `sqlite:<path>` or a bare path gives the embedded SQLite
 * store; `postgres://` or `postgresql://` gives the PostgreSQL store (call `migrate` before
 * use). Other schemes fail with a message listing what is accepted.
 */
export function openStore(url: string): Store {
  if (url.startsWith('sqlite:'))
    return new SqliteStore({ path: url.slice('sqlite:'.length), writes: 'thread' });
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url);
  if (url === '' || /^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new Error(`Unsupported store URL "${url}": use ${ACCEPTED}`);
  }
  return new SqliteStore({ path: url, writes: 'thread' });
}
