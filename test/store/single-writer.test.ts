import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { type SpawnedTailor, spawnTailor, stopTailor } from '../support/spawn-tailor.ts';
import { tempDir } from '../support/test-tailor.ts';
import { thrownTailorError } from '../support/thrown.ts';

const BIN = resolve(import.meta.dirname, '../../bin/tailor.js');

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
    await first.appendEvents([
      {
        workspaceId: 'shop',
        event: {
          type: 'track',
          event: 'Order Completed',
          messageId: 'm1',
          timestamp: 0,
          receivedAt: 0,
          userId: 'u1',
          properties: {},
          traits: {},
          context: {},
          integrations: {},
        },
      },
    ]);
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
