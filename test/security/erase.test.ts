import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeCall } from '../../src/ingest/normalize-call.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { SQLITE_SCHEMA_V4 } from '../store/sqlite-schema-v4.ts';
import {
  openTestTailor,
  sendAccepted,
  type TestTailor,
  tempDir,
  workspaceYaml,
} from '../support/test-tailor.ts';
import { ALICE_REFS, admin, aliasThenIdentify, all, statuses } from './erase-fixtures.ts';

/** What only the erased person's data contains: each must be gone from every file. */
const SECRETS = ['mallory.erase@example.org', '98450 77123', '9845077123', 'Zebulon-Quixotic'];
/** What only another person's data contains: it must still be there (the check reads the right bytes). */
const KEPT = 'kept.person@example.org';

/** How often `needle` occurs in the raw bytes of every file of `dir` (db, -wal, -shm, anything). */
function occurrences(dir: string, needle: string): number {
  let count = 0;
  for (const name of readdirSync(dir)) {
    const bytes = readFileSync(join(dir, name));
    const wanted = Buffer.from(needle, 'utf8');
    for (let at = bytes.indexOf(wanted); at !== -1; at = bytes.indexOf(wanted, at + 1)) count += 1;
  }
  return count;
}

function found(dir: string): Record<string, number> {
  return Object.fromEntries(SECRETS.map((secret) => [secret, occurrences(dir, secret)]));
}

const NONE = Object.fromEntries(SECRETS.map((secret) => [secret, 0]));

let t: TestTailor | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/**
 * Many people, then the person: identify, page views, orders, each view commit rewriting the
 * profile JSON (so older copies of it land in freed pages), and enough rows around it that
 * tables and indexes have interior pages.
 */
async function crowdAndPerson(tailor: TestTailor): Promise<void> {
  for (let n = 0; n < 300; n += 1) {
    await sendAccepted(tailor, '/v1/identify', {
      userId: `crowd-${n}`,
      traits: { email: n === 0 ? KEPT : `crowd-${n}@example.net`, first_name: `Crowd ${n}` },
    });
  }
  await tailor.engine.commit();
  await sendAccepted(tailor, '/v1/identify', {
    userId: 'mallory-1',
    anonymousId: 'anon-mallory',
    traits: { email: 'Mallory.Erase@example.org', phone: '+91 98450 77123', first_name: 'Zebulon-Quixotic' },
  });
  for (let n = 0; n < 12; n += 1) {
    await sendAccepted(tailor, '/v1/track', {
      userId: 'mallory-1',
      event: 'Order Completed',
      properties: { revenue: 100 + n, note: 'Zebulon-Quixotic at mallory.erase@example.org, 98450 77123' },
    });
    await sendAccepted(tailor, '/v1/identify', {
      userId: 'mallory-1',
      traits: { last_seen_order: n, first_name: 'Zebulon-Quixotic' },
    });
    await tailor.engine.commit();
  }
}

describe('erase leaves nothing on disk (SQLite)', () => {
  it('removes every byte of the person from the db, -wal and -shm when the erase answers, and after a clean stop', async () => {
    const dir = tempDir('tailor-erase-');
    t = await openTestTailor({ path: join(dir, 'tailor.db') });
    await crowdAndPerson(t);
    expect(found(dir)['mallory.erase@example.org']).toBeGreaterThan(0);

    const erased = await admin(t, 'DELETE', '/v1/profiles/user_id:mallory-1');
    expect(erased.statusCode).toBe(200);
    expect(erased.json().events).toBe(25);
    expect(found(dir)).toEqual(NONE);

    await t.close();
    t = undefined;
    expect(found(dir)).toEqual(NONE);
    expect(occurrences(dir, KEPT)).toBeGreaterThan(0);
  });

  it('scrubs pages an older Tailor freed without zeroing them when it opens that database', async () => {
    const dir = tempDir('tailor-erase-old-');
    const path = join(dir, 'tailor.db');
    const old = new Database(path);
    old.pragma('journal_mode = WAL');
    old.pragma('secure_delete = OFF');
    old.exec(SQLITE_SCHEMA_V4);
    const body = JSON.stringify({
      traits: { email: SECRETS[0], first_name: SECRETS[3] },
      pad: 'x'.repeat(9000),
    });
    const insert = old.prepare(
      'INSERT INTO events (workspace_id, message_id, timestamp, body) VALUES (?, ?, ?, ?)',
    );
    for (let n = 0; n < 20; n += 1) insert.run('shop', `m-${n}`, n, n === 0 ? body : `{"n":${n}}`);
    old.prepare("DELETE FROM events WHERE message_id = 'm-0'").run();
    old.close();
    expect(occurrences(dir, SECRETS[0] ?? '')).toBeGreaterThan(0);

    t = await openTestTailor({ path });
    expect(occurrences(dir, SECRETS[0] ?? '')).toBe(0);
    expect(occurrences(dir, SECRETS[3] ?? '')).toBe(0);
  });
});

describe('erase with another process reading the SQLite file', () => {
  it('answers ERASE_NOT_FLUSHED rather than success while a reader keeps the WAL from being truncated', async () => {
    const dir = tempDir('tailor-erase-reader-');
    const path = join(dir, 'tailor.db');
    const store = new SqliteStore({ path, busyTimeoutMs: 20 });
    const [seq] = await store
      .appendEvents([
        {
          workspaceId: 'shop',
          event: normalizeCall({
            body: { userId: 'u-1', traits: { email: SECRETS[0] } },
            call: 'identify',
            receivedAt: 0,
          }).events[0]!,
        },
      ])
      .then((outcomes) => outcomes.map((o) => (o.kind === 'appended' ? o.seq : 0)));
    const reader = new Database(path);
    reader.prepare('BEGIN').run();
    reader.prepare('SELECT count(*) FROM events').get();
    try {
      await store.commitView({
        checkpoint: seq ?? 0,
        rebuilt: [],
        profiles: [],
        deletedProfiles: [],
        identifiers: [],
        merges: [],
        eventLinks: [{ workspaceId: 'shop', seq: seq ?? 0, profileId: 'p1' }],
        derivedEvents: [],
        memberships: [],
      });
      const audit = { workspaceId: 'shop', action: 'profile.erased', detail: {}, at: 0 };
      await expect(store.eraseProfiles('shop', ['p1'], audit)).rejects.toMatchObject({
        code: 'ERASE_NOT_FLUSHED',
      });
    } finally {
      reader.prepare('COMMIT').run();
      reader.close();
    }
    expect(await store.readEvents({ afterSeq: 0, limit: 10 })).toEqual([]);
    await store.eraseProfiles('shop', [], {
      workspaceId: 'shop',
      action: 'profile.erased',
      detail: {},
      at: 1,
    });
    await store.close();
    expect(found(dir)).toEqual(NONE);
  });
});

describe('erase follows every identifier linked to the person', () => {
  it.each(['user_id:u-alice', 'user_id:old-alice'])(
    'erases the profile created later for an aliased previousId, starting from %s',
    async (ref) => {
      t = await openTestTailor();
      await aliasThenIdentify(t);
      await sendAccepted(t, '/v1/identify', {
        userId: 'u-someone',
        traits: { email: 'someone@example.com' },
      });
      const alice = (await admin(t, 'GET', '/v1/profiles/user_id:u-alice')).json().id;
      const old = (await admin(t, 'GET', '/v1/profiles/user_id:old-alice')).json().id;
      expect(old).not.toBe(alice);

      const exported = (await admin(t, 'GET', `/v1/profiles/${ref}/export`)).json();
      const ids = [
        exported.profile.id,
        ...exported.linked.map((p: { profile: { id: string } }) => p.profile.id),
      ];
      expect(ids.sort()).toEqual([alice, old].sort());

      const erased = await admin(t, 'DELETE', `/v1/profiles/${ref}`);
      expect(erased.statusCode).toBe(200);
      expect(erased.json().events).toBe(3);
      expect(await statuses(t, [...ALICE_REFS, alice, old])).toEqual(all([...ALICE_REFS, alice, old], 404));
      expect(await statuses(t, ['user_id:u-someone'])).toEqual({ 'user_id:u-someone': 200 });

      // Nothing in memory still points at the erased profiles: the same ids start afresh.
      await sendAccepted(t, '/v1/identify', { userId: 'u-alice', anonymousId: 'anon-alice' });
      const again = await admin(t, 'GET', '/v1/profiles/anonymous_id:anon-alice/events');
      expect(again.json().events).toHaveLength(1);
      expect(await statuses(t, ['email:alice@example.com', 'user_id:old-alice'])).toEqual(
        all(['email:alice@example.com', 'user_id:old-alice'], 404),
      );
    },
  );

  it.each(['u-bob', 'u-carol'])(
    'does not spread through a device id two identified people share (erasing %s)',
    async (userId) => {
      t = await openTestTailor();
      for (const name of ['bob', 'carol']) {
        await sendAccepted(t, '/v1/identify', {
          userId: `u-${name}`,
          anonymousId: 'family-tablet',
          traits: { email: `${name}@example.com` },
        });
        await sendAccepted(t, '/v1/track', {
          anonymousId: 'family-tablet',
          userId: `u-${name}`,
          event: 'Viewed',
        });
      }
      const other = userId === 'u-bob' ? 'u-carol' : 'u-bob';
      const before = (await admin(t, 'GET', `/v1/profiles/user_id:${other}/export`)).json();
      expect(before.linked).toEqual([]);
      expect((await admin(t, 'GET', `/v1/profiles/user_id:${userId}/export`)).json().linked).toEqual([]);

      expect((await admin(t, 'DELETE', `/v1/profiles/user_id:${userId}`)).json().events).toBe(2);
      const name = userId.slice(2);
      expect(await statuses(t, [`user_id:${userId}`, `email:${name}@example.com`])).toEqual(
        all([`user_id:${userId}`, `email:${name}@example.com`], 404),
      );
      const after = (await admin(t, 'GET', `/v1/profiles/user_id:${other}/export`)).json();
      expect(after.profile.id).toBe(before.profile.id);
      expect(after.events).toHaveLength(before.events.length);
    },
  );

  it('does not bring the person back when a workspace change rebuilds the view from the log', async () => {
    const dir = tempDir('tailor-erase-rebuild-');
    t = await openTestTailor({ path: join(dir, 'tailor.db') });
    await aliasThenIdentify(t);
    await sendAccepted(t, '/v1/identify', { userId: 'u-someone', traits: { email: 'someone@example.com' } });
    expect((await admin(t, 'DELETE', '/v1/profiles/email:alice@example.com')).statusCode).toBe(200);

    const extra = `  - key: identifies
    aggregate: count
    events: [identify]
`;
    await t.engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop', extra) }));
    expect(await statuses(t, ALICE_REFS)).toEqual(all(ALICE_REFS, 404));
    expect(await statuses(t, ['user_id:u-someone'])).toEqual({ 'user_id:u-someone': 200 });

    await t.close();
    t = await openTestTailor({ path: join(dir, 'tailor.db') });
    expect(await statuses(t, ALICE_REFS)).toEqual(all(ALICE_REFS, 404));
    expect(await statuses(t, ['user_id:u-someone'])).toEqual({ 'user_id:u-someone': 200 });
  });
});
