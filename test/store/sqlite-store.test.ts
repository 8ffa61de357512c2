import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { storeContract } from './store-contract.ts';

/** A fresh temporary directory (not from test-tailor, which loads the whole engine). */
function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tailor-store-'));
}

storeContract('sqlite in memory', async () => new SqliteStore({ path: ':memory:' }));

const paths = new WeakMap<Store, string>();

/** A SQLite store on a fresh file in a directory that does not exist yet. */
async function openFile(): Promise<Store> {
  const path = join(tempDir(), 'nested', 'dir', 'tailor.db');
  const store = new SqliteStore({ path });
  paths.set(store, path);
  return store;
}

storeContract('sqlite file', openFile, {
  async reopen(store) {
    const path = paths.get(store);
    if (path === undefined) throw new Error('not a store of this suite');
    await store.close();
    const reopened = new SqliteStore({ path });
    paths.set(reopened, path);
    return reopened;
  },
});

describe('openStore', () => {
  it('opens SQLite from sqlite:<path> or a bare path', async () => {
    const dir = tempDir();
    for (const url of [`sqlite:${join(dir, 'a.db')}`, join(dir, 'b.db'), 'sqlite::memory:']) {
      const store = openStore(url);
      expect(store).toBeInstanceOf(SqliteStore);
      await store.close();
    }
    expect(existsSync(join(dir, 'a.db'))).toBe(true);
    expect(existsSync(join(dir, 'b.db'))).toBe(true);
  });

  it('opens PostgreSQL from postgres:// or postgresql://, without connecting yet', async () => {
    for (const url of ['postgres://u:p@localhost/tailor', 'postgresql://localhost/tailor?schema=shop']) {
      const store = openStore(url);
      expect(store).toBeInstanceOf(PostgresStore);
      await store.close();
    }
    expect(() => openStore('postgres://localhost/tailor?schema=Bad-Name')).toThrow(
      'PostgreSQL schema "Bad-Name"',
    );
  });

  it.each([
    ['mysql://localhost/tailor', 'Unsupported store URL "mysql://localhost/tailor"'],
    ['', 'Unsupported store URL ""'],
  ])('rejects %j', (url, message) => {
    expect(() => openStore(url)).toThrow(message);
  });
});
