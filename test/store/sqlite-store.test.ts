import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { SendRecord } from '../../src/activate/send-record.ts';
import type { ProfileState } from '../../src/profile/profile.ts';
import { openStore } from '../../src/store/open-store.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { SQLITE_SCHEMA_VERSION } from '../../src/store/sqlite/sqlite-schema.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { storeContract } from './contract/store-contract.ts';
import { expectUpgradedHistory } from './contract/upgraded-history.ts';
import { SQLITE_SCHEMA_V1 } from './sqlite-schema-v1.ts';
import { SQLITE_SCHEMA_V2 } from './sqlite-schema-v2.ts';
import { SQLITE_SCHEMA_V3 } from './sqlite-schema-v3.ts';
import { SQLITE_SCHEMA_V4 } from './sqlite-schema-v4.ts';
import { SQLITE_SCHEMA_V5 } from './sqlite-schema-v5.ts';

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

/** The same, with its writes on a thread of their own (`writes: 'thread'`, as `openStore` opens a file). */
async function openThreaded(): Promise<Store> {
  const path = join(tempDir(), 'tailor.db');
  const store = new SqliteStore({ path, writes: 'thread' });
  paths.set(store, path);
  return store;
}

storeContract('sqlite file, writes on a thread', openThreaded, {
  async reopen(store) {
    const path = paths.get(store);
    if (path === undefined) throw new Error('not a store of this suite');
    await store.close();
    const reopened = new SqliteStore({ path, writes: 'thread' });
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

/** A minimal profile, due at `due` when given. */
function profile(id: string, due?: number): ProfileState {
  const audience = { segments: {}, risks: {}, stage: null, pending: {}, at: 0 };
  return {
    id,
    workspaceId: 'a',
    identifiers: {},
    traits: {},
    computed: {},
    consent: {},
    firstSeen: 0,
    lastSeen: 0,
    recent: [],
    mergedIds: [],
    eventCount: 1,
    ...(due === undefined ? {} : { audience: { ...audience, due } }),
  };
}

/** Checks that an upgraded database has the outbox table (with `trigger` and `called_at`) and its indexes. */
function expectOutbox(db: Database.Database): void {
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(sends)').all();
  expect(columns.map((column) => column.name)).toEqual([
    'workspace_id',
    'id',
    'profile_id',
    'channel',
    'recipient',
    'content',
    'action',
    'decision_id',
    'status',
    'attempts',
    'next_attempt_at',
    'last_error',
    'provider_message_id',
    'created_at',
    'updated_at',
    'trigger',
    'called_at',
  ]);
  const indexes = db.prepare<[], { name: string }>('PRAGMA index_list(sends)').all();
  expect(indexes.map((index) => index.name)).toEqual(
    expect.arrayContaining(['sends_by_status', 'sends_by_workspace', 'sends_by_trigger']),
  );
}

describe('SQLite schema upgrades', () => {
  it('upgrades a version 1 database in place, keeping its rows', async () => {
    const path = join(tempDir(), 'v1.db');
    const old = new Database(path);
    old.exec(SQLITE_SCHEMA_V1);
    old
      .prepare('INSERT INTO profiles (workspace_id, id, state) VALUES (?, ?, ?)')
      .run('a', 'p1', JSON.stringify(profile('p1')));
    old.prepare('INSERT INTO view_state (id, checkpoint) VALUES (1, 7)').run();
    old.close();

    const store = new SqliteStore({ path });
    try {
      await store.migrate();
      expect(await store.loadProfiles('a', ['p1'])).toEqual([profile('p1')]);
      expect(await store.viewCheckpoint()).toBe(7);
      expect(
        (await store.dueProfiles({ workspaceId: 'a', at: 100, limit: 10 })).map((row) => row.id),
      ).toEqual([]);
      await store.commitView({
        checkpoint: 8,
        rebuilt: [],
        profiles: [profile('p1', 50)],
        deletedProfiles: [],
        identifiers: [],
        merges: [],
        eventLinks: [],
        derivedEvents: [],
        memberships: [{ workspaceId: 'a', profileId: 'p1', segments: [{ key: 'vip', enteredAt: 5 }] }],
      });
      expect(
        (await store.dueProfiles({ workspaceId: 'a', at: 100, limit: 10 })).map((row) => row.id),
      ).toEqual(['p1']);
      expect(await store.segmentSize('a', 'vip')).toBe(1);
    } finally {
      await store.close();
    }

    const upgraded = new Database(path, { readonly: true });
    try {
      expect(upgraded.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
      expect(SQLITE_SCHEMA_VERSION).toBe(9);
      const columns = upgraded.prepare<[], { name: string }>('PRAGMA table_info(profiles)').all();
      expect(columns.map((column) => column.name)).toEqual(['workspace_id', 'id', 'state', 'due']);
      const indexes = upgraded.prepare<[], { name: string }>('PRAGMA index_list(profiles)').all();
      expect(indexes.map((index) => index.name)).toContain('profiles_by_due');
      expectOutbox(upgraded);
    } finally {
      upgraded.close();
    }
  });

  it('upgrades a version 2 database in place, adding the outbox and keeping its rows', async () => {
    const path = join(tempDir(), 'v2.db');
    const old = new Database(path);
    old.exec(SQLITE_SCHEMA_V2);
    old
      .prepare('INSERT INTO profiles (workspace_id, id, state, due) VALUES (?, ?, ?, ?)')
      .run('a', 'p1', JSON.stringify(profile('p1', 50)), 50);
    old.prepare('INSERT INTO segment_members VALUES (?, ?, ?, ?)').run('a', 'vip', 'p1', 5);
    old.prepare('INSERT INTO view_state (id, checkpoint) VALUES (1, 7)').run();
    old.close();

    const outbound: SendRecord = {
      workspaceId: 'a',
      id: 's1',
      profileId: 'p1',
      channel: 'email',
      to: 'p1@example.com',
      content: { subject: 'Hi' },
      status: 'pending',
      attempts: 0,
      nextAttemptAt: 60,
      createdAt: 60,
      updatedAt: 60,
    };
    const store = new SqliteStore({ path });
    try {
      await store.migrate();
      expect(await store.loadProfiles('a', ['p1'])).toEqual([profile('p1', 50)]);
      expect(await store.viewCheckpoint()).toBe(7);
      expect(
        (await store.dueProfiles({ workspaceId: 'a', at: 100, limit: 10 })).map((row) => row.id),
      ).toEqual(['p1']);
      expect(await store.segmentSize('a', 'vip')).toBe(1);
      expect(await store.nextSendDue()).toBeUndefined();
      expect(await store.enqueueSends([outbound])).toBe(1);
      expect(await store.getSend('a', 's1')).toEqual(outbound);
    } finally {
      await store.close();
    }

    const upgraded = new Database(path, { readonly: true });
    try {
      expect(upgraded.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
      expectOutbox(upgraded);
    } finally {
      upgraded.close();
    }
  });

  it('upgrades a version 3 database in place, adding sends.trigger and keeping the outbox', async () => {
    const path = join(tempDir(), 'v3.db');
    const old = new Database(path);
    old.exec(SQLITE_SCHEMA_V3);
    old
      .prepare(
        `INSERT INTO sends VALUES ('a', 's1', 'p1', 'whatsapp', '+15550100', '{"text":"Hi"}', 'remind',
           'd1', 'sending', 1, 60, NULL, NULL, 60, 61)`,
      )
      .run();
    old.close();

    const store = new SqliteStore({ path });
    try {
      await store.migrate();
      expect(await store.getSend('a', 's1')).toEqual({
        workspaceId: 'a',
        id: 's1',
        profileId: 'p1',
        channel: 'whatsapp',
        to: '+15550100',
        content: { text: 'Hi' },
        action: 'remind',
        decisionId: 'd1',
        status: 'sending',
        attempts: 1,
        nextAttemptAt: 60,
        // Left sending before calls were recorded: in doubt, as if handed over when last updated.
        calledAt: 61,
        createdAt: 60,
        updatedAt: 61,
      });
      const fresh: SendRecord = {
        workspaceId: 'a',
        id: 's2',
        profileId: 'p1',
        channel: 'whatsapp',
        to: '+15550100',
        content: { text: 'Hi' },
        trigger: 'journey:checkout_recovery:remind',
        status: 'sent',
        attempts: 1,
        nextAttemptAt: 70,
        createdAt: 70,
        updatedAt: 70,
      };
      expect(await store.enqueueSends([fresh])).toBe(1);
      expect(await store.getSend('a', 's2')).toEqual(fresh);
      expect(await store.sendCountsByTrigger('a', 'journey:')).toEqual([
        { trigger: 'journey:checkout_recovery:remind', status: 'sent', count: 1 },
      ]);
    } finally {
      await store.close();
    }

    const upgraded = new Database(path, { readonly: true });
    try {
      expect(upgraded.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
      expectOutbox(upgraded);
    } finally {
      upgraded.close();
    }
  });

  it('upgrades a version 4 database in place, adding sends.called_at: what it left sending may have been called', async () => {
    const path = join(tempDir(), 'v4.db');
    const old = new Database(path);
    old.exec(SQLITE_SCHEMA_V4);
    const insert = old.prepare<[string, string, number]>(
      `INSERT INTO sends VALUES ('a', ?, 'p1', 'whatsapp', '+15550100', '{"text":"Hi"}', 'remind',
         'd1', ?, 1, 60, NULL, NULL, 60, ?, 'event:Checkout Started')`,
    );
    insert.run('s1', 'sending', 61);
    insert.run('s2', 'pending', 62);
    old.close();

    const store = new SqliteStore({ path });
    try {
      await store.migrate();
      const before: SendRecord = {
        workspaceId: 'a',
        id: 's1',
        profileId: 'p1',
        channel: 'whatsapp',
        to: '+15550100',
        content: { text: 'Hi' },
        action: 'remind',
        decisionId: 'd1',
        trigger: 'event:Checkout Started',
        status: 'sending',
        attempts: 1,
        nextAttemptAt: 60,
        createdAt: 60,
        updatedAt: 61,
      };
      // Version 4 did not record the call: a send it left sending is in doubt, as it was then.
      expect(await store.getSend('a', 's1')).toEqual({ ...before, calledAt: 61 });
      expect(await store.getSend('a', 's2')).toEqual({
        ...before,
        id: 's2',
        status: 'pending',
        updatedAt: 62,
      });
      const awaiting = {
        channels: [{ workspaceId: 'a', channel: 'whatsapp' as const }],
        until: 900,
        reason: 'wait',
      };
      expect(await store.releaseSending({ at: 70, awaiting })).toEqual({
        released: 0,
        neverCalled: 0,
        awaiting: 1,
      });
      expect(await store.claimSends(899, 10)).toEqual([
        { ...before, id: 's2', attempts: 2, calledAt: 899, updatedAt: 899 },
      ]);
      expect(await store.claimSends(900, 10)).toEqual([
        { ...before, attempts: 2, nextAttemptAt: 900, lastError: 'wait', calledAt: 900, updatedAt: 900 },
      ]);
      await store.markCalled([{ workspaceId: 'a', id: 's1' }], 901);
      expect((await store.getSend('a', 's1'))?.calledAt).toBe(901);
    } finally {
      await store.close();
    }

    const upgraded = new Database(path, { readonly: true });
    try {
      expect(upgraded.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
      expectOutbox(upgraded);
    } finally {
      upgraded.close();
    }
  });

  it('upgrades a version 5 database in place, giving its keys ids: they count as generated and still work', async () => {
    const path = join(tempDir(), 'v5.db');
    const old = new Database(path);
    old.exec(SQLITE_SCHEMA_V5);
    old
      .prepare(
        "INSERT INTO api_keys (hash, workspace_id, kind) VALUES ('h1', 'a', 'write'), ('h2', 'a', 'admin')",
      )
      .run();
    old.close();

    const store = new SqliteStore({ path });
    try {
      await store.migrate();
      const keys = await store.listKeys('a');
      expect(keys.map((key) => [key.kind, key.source, key.revokedAt])).toEqual(
        expect.arrayContaining([
          ['write', 'generated', null],
          ['admin', 'generated', null],
        ]),
      );
      for (const key of keys) expect(key.id).toMatch(/^key_[0-9a-f]{24}$/);
      expect(await store.findKey('h1')).toMatchObject({ workspaceId: 'a', kind: 'write' });
      const write = keys.find((key) => key.kind === 'write');
      await store.revokeKey({ workspaceId: 'a', id: write?.id ?? '', at: 5, keepLastAdmin: true });
      expect(await store.findKey('h1')).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('upgrades a version 7 database: its derived entries and exits counted by hour, its workspace version kept', async () => {
    const path = join(tempDir(), 'v7.db');
    // A version 8 database taken back to version 7: no segment column, no segment_hours, no workspace_versions.
    await new SqliteStore({ path }).close();
    const old = new Database(path);
    old.exec(`DROP INDEX derived_events_by_segment; ALTER TABLE derived_events DROP COLUMN segment;
      DROP TABLE segment_hours; DROP TABLE workspace_versions; PRAGMA user_version = 7;`);
    const body = (event: string, segment: string, timestamp: number) =>
      JSON.stringify({
        type: 'track',
        event,
        timestamp,
        properties: { segment },
        messageId: `m-${timestamp}`,
      });
    const insert = old.prepare(
      'INSERT INTO derived_events (workspace_id, profile_id, seq, ord, body) VALUES (?, ?, ?, ?, ?)',
    );
    insert.run('a', 'p1', 1, 0, body('Segment Entered', 'vip', 3_600_000 + 5));
    insert.run('a', 'p2', 2, 0, body('Segment Entered', 'vip', 3_600_000 + 9));
    insert.run('a', 'p1', 3, 0, body('Segment Exited', 'vip', 7_200_000));
    insert.run('a', 'p1', 3, 1, body('Lifecycle Stage Changed', 'vip', 7_200_000));
    old
      .prepare('INSERT INTO workspaces (id, definition, version) VALUES (?, ?, ?)')
      .run('a', JSON.stringify({ id: 'a', name: 'A' }), 4);
    old.close();

    const store = new SqliteStore({ path });
    try {
      await expectUpgradedHistory(store, 4);
    } finally {
      await store.close();
    }
  });

  it('refuses a database of a newer schema version', () => {
    const path = join(tempDir(), 'future.db');
    const future = new Database(path);
    future.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
    future.close();
    expect(() => new SqliteStore({ path })).toThrow(`schema version ${SQLITE_SCHEMA_VERSION + 1} is newer`);
  });
});
