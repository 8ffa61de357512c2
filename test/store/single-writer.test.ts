import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { TailorEvent } from '../../src/ingest/event.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { ViewCommit } from '../../src/store/ports/view-store.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { type SpawnedTailor, spawnTailor, stopTailor } from '../support/spawn-tailor.ts';
import { tempDir } from '../support/test-tailor.ts';
import { thrownTailorError } from '../support/thrown.ts';

const BIN = resolve(import.meta.dirname, '../../bin/tailor.js');
const PG_URL = process.env['TAILOR_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A tracked event with this message id. */
function order(messageId: string): TailorEvent {
  return {
    type: 'track',
    event: 'Order Completed',
    messageId,
    timestamp: 0,
    receivedAt: 0,
    userId: 'u1',
    properties: {},
    traits: {},
    context: {},
    integrations: {},
  };
}

/** Runs `run` and returns the TailorError code it rejects with (a test fails on anything else). */
async function rejectedCode(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
    throw error;
  }
  throw new Error('expected a rejection');
}

/**
 * Runs `tailor start` to its exit (a start that is refused exits by itself): its code and
 * output. One that starts anyway is killed at once, so the test fails fast and leaves nothing running.
 */
function startUntilExit(dataDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, TAILOR_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('Tailor is running')) child.kill('SIGKILL');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolvePromise) => {
    child.on('exit', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

describe('one writer per SQLite database', () => {
  it('refuses a second store on the same file with STORE_LOCKED, naming the file, until the first closes', async () => {
    const path = join(tempDir('tailor-writer-'), 'tailor.db');
    const first = new SqliteStore({ path });
    const error = thrownTailorError(() => new SqliteStore({ path }));
    expect(error.code).toBe('STORE_LOCKED');
    expect(error.message).toContain(`${path} is in use by another Tailor process`);
    await first.close();
    const second = new SqliteStore({ path });
    expect(await second.lastSeq()).toBe(0);
    await second.close();
  });

  it('refuses before touching the database: the holder keeps its WAL', async () => {
    const path = join(tempDir('tailor-writer-'), 'tailor.db');
    const first = new SqliteStore({ path });
    await first.appendEvents([{ workspaceId: 'shop', event: order('m1') }]);
    const wal = statSync(`${path}-wal`).size;
    expect(wal).toBeGreaterThan(0);
    expect(thrownTailorError(() => new SqliteStore({ path })).code).toBe('STORE_LOCKED');
    // Opening checkpoints and truncates the WAL; the refused store never opened the file.
    expect(statSync(`${path}-wal`).size).toBe(wal);
    expect(await first.lastSeq()).toBe(1);
    await first.close();
  });

  it('leaves the database open to readers while a store writes it', async () => {
    const path = join(tempDir('tailor-writer-'), 'tailor.db');
    const store = new SqliteStore({ path });
    const reader = new Database(path, { readonly: true });
    expect(reader.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 0 });
    reader.close();
    await store.close();
  });

  it('needs no lock for :memory: stores', async () => {
    const stores = [new SqliteStore({ path: ':memory:' }), new SqliteStore({ path: ':memory:' })];
    for (const store of stores) await store.close();
  });

  it('tailor start on a database another Tailor holds exits 1 with one line; after a kill -9 of the holder it starts', async () => {
    const dataDir = tempDir('tailor-writer-');
    let holder: SpawnedTailor | undefined = await spawnTailor({ dataDir });
    try {
      const refused = await startUntilExit(dataDir);
      expect(refused.code).toBe(1);
      expect(refused.stdout).not.toContain('Tailor is running');
      const lines = refused.stderr.trim().split('\n');
      expect(lines).toEqual([
        `error STORE_LOCKED: the SQLite database ${join(dataDir, 'tailor.db')} is in use by another Tailor process (it holds ${join(dataDir, 'tailor.db.lock')}): stop that process, or start this one with another --data-dir or --store`,
      ]);

      // A crash leaves no stale lock: the kernel drops it with the process.
      await stopTailor(holder, 'SIGKILL');
      holder = await spawnTailor({ dataDir });
      expect(await stopTailor(holder)).toBe(0);
      holder = undefined;
    } finally {
      if (holder !== undefined) await stopTailor(holder, 'SIGKILL');
    }
  }, 120_000);
});

describe('one writer per PostgreSQL schema', () => {
  const run = `tailor_writer_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
  const schemas: string[] = [];
  const stores: PostgresStore[] = [];

  /** A new schema name of this run (dropped afterwards). */
  function freshSchema(): string {
    const schema = `${run}_${schemas.length}`;
    schemas.push(schema);
    return schema;
  }

  /** A store on `schema`, closed after the suite whatever the test did. */
  function open(schema: string): PostgresStore {
    const store = new PostgresStore({ connectionString: PG_URL, schema, poolSize: 2 });
    stores.push(store);
    return store;
  }

  /** Ends the lock's session from the server side, as a database restart or `pg_terminate_backend` does. */
  async function killLockSession(schema: string): Promise<void> {
    const name = `tailor writer lock (${schema})`;
    const { rows } = await admin.query<{ killed: boolean }>(
      'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = $1',
      [name],
    );
    expect(rows).toEqual([{ killed: true }]);
    await vi.waitFor(async () => {
      const left = await admin.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [name]);
      expect(left.rowCount).toBe(0);
    });
  }

  afterAll(async () => {
    for (const store of stores) await store.close().catch(() => undefined);
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it('refuses a second store on the same schema with STORE_LOCKED, naming the schema, until the first closes', async () => {
    const schema = freshSchema();
    const first = open(schema);
    await first.migrate();
    const second = openStore(`${PG_URL}?schema=${schema}`);
    const error = await second.migrate().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toMatchObject({ code: 'STORE_LOCKED' });
    expect(error instanceof Error && error.message).toContain(
      `schema "${schema}" is in use by another Tailor process`,
    );
    // Nor can it write without migrating: every write transaction needs the lock.
    expect(await rejectedCode(() => second.appendEvents([{ workspaceId: 'shop', event: order('m1') }]))).toBe(
      'STORE_LOCKED',
    );
    await second.close();

    await first.close();
    const third = open(schema);
    await third.migrate();
    expect(await third.lastSeq()).toBe(0);
  });

  it('lets stores on different schemas of one database run side by side', async () => {
    const one = open(freshSchema());
    const two = open(freshSchema());
    await one.migrate();
    await two.migrate();
    await one.appendEvents([{ workspaceId: 'shop', event: order('m1') }]);
    await two.appendEvents([{ workspaceId: 'shop', event: order('m1') }]);
  });

  it('rides out the loss of the lock session: takes the lock again before the next write, and keeps it', async () => {
    const schema = freshSchema();
    const store = open(schema);
    await store.migrate();
    await store.appendEvents([{ workspaceId: 'shop', event: order('m1') }]);
    // Without an 'error' listener on the lock's connection this would end the test process.
    await killLockSession(schema);
    await vi.waitFor(async () => {
      await store.appendEvents([{ workspaceId: 'shop', event: order('m2') }]);
      const again = await admin.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [
        `tailor writer lock (${schema})`,
      ]);
      expect(again.rowCount).toBe(1);
    });
    expect(await store.lastSeq()).toBe(2);
    const other = open(schema);
    expect(await rejectedCode(() => other.migrate())).toBe('STORE_LOCKED');
  });

  it('stops writing for good when another process took the lock while it was lost', async () => {
    const schema = freshSchema();
    const first = open(schema);
    await first.migrate();
    await killLockSession(schema);
    const second = open(schema);
    await second.migrate();
    await vi.waitFor(async () => {
      expect(
        await rejectedCode(() => first.appendEvents([{ workspaceId: 'shop', event: order('m1') }])),
      ).toBe('STORE_LOCK_LOST');
    });
    await second.close();
    // Even with the lock free again: its view may no longer follow the log.
    expect(await rejectedCode(() => first.commitView(emptyCommit(0)))).toBe('STORE_LOCK_LOST');
  });

  it('stops writing when another process wrote while the lock was lost, even though it left again', async () => {
    const schema = freshSchema();
    const first = open(schema);
    await first.migrate();
    await first.appendEvents([{ workspaceId: 'shop', event: order('m1') }]);
    await killLockSession(schema);
    const second = open(schema);
    await second.migrate();
    await second.appendEvents([{ workspaceId: 'shop', event: order('m2') }]);
    await second.close();
    expect(await rejectedCode(() => first.appendEvents([{ workspaceId: 'shop', event: order('m3') }]))).toBe(
      'STORE_LOCK_LOST',
    );
    expect(await first.lastSeq()).toBe(2);
  });
});

/** A view commit that changes nothing but the checkpoint. */
function emptyCommit(checkpoint: number): ViewCommit {
  return {
    checkpoint,
    profiles: [],
    identifiers: [],
    eventLinks: [],
    derivedEvents: [],
    memberships: [],
    merges: [],
    deletedProfiles: [],
    rebuilt: [],
  };
}
