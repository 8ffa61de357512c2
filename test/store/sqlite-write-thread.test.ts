import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { TailorError } from '../../src/errors.ts';
import { isAppendInDoubt } from '../../src/store/append-in-doubt-error.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { event } from './contract/store-fixtures.ts';

/** The worker behind a store's write thread: these tests kill it, as a crash of the thread would. */
function workerOf(store: SqliteStore): Worker {
  const thread: unknown = Reflect.get(store, 'thread');
  const worker: unknown = thread === undefined ? undefined : Reflect.get(thread as object, 'worker');
  if (worker === undefined) throw new Error('the store has no running write thread');
  return worker as Worker;
}

const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

function openThreaded(): SqliteStore {
  const store = new SqliteStore({
    path: join(mkdtempSync(join(tmpdir(), 'tailor-thread-')), 't.db'),
    writes: 'thread',
  });
  stores.push(store);
  return store;
}

describe('SQLite writes on a thread', () => {
  it('writes on the thread and reads what it wrote on the store connection as soon as the write resolves', async () => {
    const store = openThreaded();
    const outcomes = await store.appendEvents([
      { workspaceId: 'shop', event: event('m1') },
      { workspaceId: 'shop', event: event('m1') },
    ]);
    expect(outcomes).toEqual([{ kind: 'appended', seq: 1 }, { kind: 'duplicate' }]);
    expect(await store.lastSeq()).toBe(1);
    expect((await store.readEvents({ afterSeq: 0, limit: 10 })).map((e) => e.messageId)).toEqual(['m1']);
  });

  it("carries a write's catalogue error across with its class and code, and the thread goes on", async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tailor-thread-')), 't.db');
    const store = new SqliteStore({ path, writes: 'thread', busyTimeoutMs: 50 });
    stores.push(store);
    await store.appendEvents([{ workspaceId: 'shop', event: event('m1') }]);
    // Another process reading holds the WAL: the erase commits, but cannot truncate it.
    const reader = new Database(path, { readonly: true });
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM events').get();
    const error = await store
      .eraseProfiles('shop', ['prf_nobody'], { workspaceId: 'shop', action: 'erase', detail: {}, at: 1 })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    reader.exec('COMMIT');
    reader.close();
    expect(error).toBeInstanceOf(TailorError);
    expect((error as TailorError).code).toBe('ERASE_NOT_FLUSHED');
    expect(await store.appendEvents([{ workspaceId: 'shop', event: event('m2') }])).toEqual([
      { kind: 'appended', seq: 2 },
    ]);
  });

  it('answers an append the dying thread held as in doubt, and starts a new thread for the next write', async () => {
    const store = openThreaded();
    await store.appendEvents([{ workspaceId: 'shop', event: event('before') }]);
    const worker = workerOf(store);
    const held = store.appendEvents([{ workspaceId: 'shop', event: event('held') }]);
    await worker.terminate();
    const error = await held.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    // Either the thread wrote it before it died, or the append is in doubt — never a plain failure.
    if (error !== undefined) expect(isAppendInDoubt(error)).toBe(true);
    const after = await store.appendEvents([{ workspaceId: 'shop', event: event('after') }]);
    expect(after[0]?.kind).toBe('appended');
    expect(workerOf(store)).not.toBe(worker);
    const logged = (await store.readEvents({ afterSeq: 0, limit: 10 })).map((e) => e.messageId);
    expect(logged[0]).toBe('before');
    expect(logged.at(-1)).toBe('after');
  });

  it('copies the WAL into the database file on a thread of its own, long before the write connection would', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tailor-thread-')), 't.db');
    const store = new SqliteStore({ path, writes: 'thread' });
    stores.push(store);
    const before = statSync(path).size;
    // About 300 KB of events: far below the write connection's 64 MiB backstop (and SQLite's
    // own 4 MB), so only the checkpoint thread moves them from the WAL into the file.
    await store.appendEvents(
      Array.from({ length: 1_000 }, (_, i) => ({ workspaceId: 'shop', event: event(`m${i}`) })),
    );
    const deadline = Date.now() + 5_000;
    while (statSync(path).size === before && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(statSync(path).size).toBeGreaterThan(before);
    expect(await store.lastSeq()).toBe(1_000);
  });
});
