import { chmodSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeDataDirPrivate } from '../../src/app/private-data-dir.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { spawnTailor, stopTailor } from '../support/spawn-tailor.ts';
import { tempDir } from '../support/test-tailor.ts';

const mode = (path: string) => statSync(path).mode & 0o777;

/** Every entry of the data dir with its mode, as `name: 0o…`. */
function modes(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((name) => [name, mode(join(dir, name)).toString(8)]));
}

let root: string;
let umask: number;
beforeEach(() => {
  root = tempDir('tailor-perms-');
  // The usual shell umask: what made data files 0644 before.
  umask = process.umask(0o022);
});
afterEach(() => {
  process.umask(umask);
  rmSync(root, { recursive: true, force: true });
});

describe('the data directory is private', () => {
  it('the SQLite store creates its database, WAL and shared-memory files 0600 under a 022 umask', async () => {
    const path = join(root, 'nested', 'tailor.db');
    const store = new SqliteStore({ path });
    try {
      await store.appendEvents([
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
      expect(modes(join(root, 'nested'))).toEqual({
        'tailor.db': '600',
        'tailor.db-wal': '600',
        'tailor.db-shm': '600',
        'tailor.db.lock': '600',
      });
      expect(mode(join(root, 'nested'))).toBe(0o700);
    } finally {
      await store.close();
    }
  });

  it('tightens an existing directory and its files, and never loosens a stricter mode', async () => {
    const dir = join(root, 'data');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    for (const name of ['tailor.db', 'tailor.db-wal', 'demo.keys.json', 'events.jsonl.tailor-import.json'])
      writeFileSync(join(dir, name), 'x', { mode: 0o644 });
    writeFileSync(join(dir, 'strict'), 'x', { mode: 0o400 });
    mkdirSync(join(dir, 'sub'), { mode: 0o755 });
    const tightened = await makeDataDirPrivate(dir);
    expect(tightened.sort()).toEqual(
      [
        dir,
        ...['demo.keys.json', 'events.jsonl.tailor-import.json', 'tailor.db', 'tailor.db-wal'].map((n) =>
          join(dir, n),
        ),
      ].sort(),
    );
    expect(mode(dir)).toBe(0o700);
    expect(modes(dir)).toEqual({
      'demo.keys.json': '600',
      'events.jsonl.tailor-import.json': '600',
      'tailor.db': '600',
      'tailor.db-wal': '600',
      strict: '400',
      sub: '755',
    });
    expect(await makeDataDirPrivate(dir)).toEqual([]);
    expect(await makeDataDirPrivate(join(root, 'fresh'))).toEqual([]);
    expect(mode(join(root, 'fresh'))).toBe(0o700);
  });

  it('`tailor start` keeps every file private, and tightens a data dir an older Tailor left open, saying so', async () => {
    const dir = join(root, 'data');
    const first = await spawnTailor({ dataDir: dir });
    await stopTailor(first);
    expect(mode(dir)).toBe(0o700);
    const files = modes(dir);
    expect(Object.keys(files).sort()).toEqual(expect.arrayContaining(['demo.keys.json', 'tailor.db']));
    for (const [name, bits] of Object.entries(files)) expect([name, bits]).toEqual([name, '600']);

    // As Tailor before this change left it: directory 0755, database and WAL 0644.
    chmodSync(dir, 0o755);
    for (const name of Object.keys(files)) chmodSync(join(dir, name), 0o644);
    const second = await spawnTailor({ dataDir: dir });
    try {
      expect(second.output()).toContain('data directory was readable by others: made it private');
      expect(mode(dir)).toBe(0o700);
      for (const [name, bits] of Object.entries(modes(dir))) expect([name, bits]).toEqual([name, '600']);
    } finally {
      await stopTailor(second);
    }
  }, 120_000);
});
