import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TailorEvent } from '../../src/ingest/event.ts';
import type { ProfileState } from '../../src/profile/profile.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { MergeRecord } from '../../src/store/ports/view-store.ts';
import { planMerges } from '../../src/store/postgres/postgres-merges.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import type { Store } from '../../src/store/store.ts';
import { storeContract } from './contract/store-contract.ts';
import { expectUpgradedHistory } from './contract/upgraded-history.ts';

const URL = process.env['TAILOR_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Every schema this run creates: unique to the run, so parallel files and reruns never meet. */
const run = `tailor_test_${process.pid}_${randomBytes(4).toString('hex')}`;
const schemas: string[] = [];
const schemaOf = new WeakMap<Store, string>();
const admin = new pg.Pool({ connectionString: URL, max: 1 });

beforeAll(async () => {
  try {
    await admin.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${URL} (${String(error)}). Start it (CI does: .ci/run), ` +
        'or point TAILOR_TEST_POSTGRES_URL at a server where the user may create schemas.',
    );
  }
});

afterAll(async () => {
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

/** A store on a schema of its own, so every contract test starts empty. */
function openFresh(): PostgresStore {
  const schema = `${run}_${schemas.length}`;
  schemas.push(schema);
  const store = new PostgresStore({ connectionString: URL, schema, poolSize: 2 });
  schemaOf.set(store, schema);
  return store;
}

storeContract('postgres', async () => openFresh(), {
  async reopen(store) {
    const schema = schemaOf.get(store);
    if (schema === undefined) throw new Error('not a store of this suite');
    await store.close();
    const reopened = new PostgresStore({ connectionString: URL, schema });
    schemaOf.set(reopened, schema);
    return reopened;
  },
});

/** A minimal profile state. */
function profileRow(id: string): ProfileState {
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
    eventCount: 0,
  };
}

/** A minimal track event. */
function event(messageId: string): TailorEvent {
  return {
    type: 'track',
    event: 'Viewed',
    messageId,
    timestamp: 1_700_000_000_000,
    receivedAt: 1_700_000_000_000,
    userId: 'u1',
    properties: { text: 'nul \u0000 and emoji 🎉', order: { z: 1, a: 2 } },
    traits: {},
    context: {},
    integrations: {},
  };
}

describe('PostgresStore', () => {
  it('appends a large batch with repeats in input order, in one round of seqs', async () => {
    const store = openFresh();
    await store.migrate();
    try {
      await store.appendEvents([{ workspaceId: 'a', event: event('m7') }]);
      const ids = Array.from({ length: 2_500 }, (_, n) => `m${n % 2_000}`);
      const outcomes = await store.appendEvents(ids.map((id) => ({ workspaceId: 'a', event: event(id) })));
      const expected = ids.map((id, n) => (n >= 2_000 || id === 'm7' ? 'duplicate' : 'appended'));
      expect(outcomes.map((o) => o.kind)).toEqual(expected);
      const seqs = outcomes.flatMap((o) => (o.kind === 'appended' ? [o.seq] : []));
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      const logged = await store.readEvents({ afterSeq: 0, limit: 3_000 });
      expect(logged.map((e) => e.messageId)).toEqual([
        'm7',
        ...ids.slice(0, 2_000).filter((id) => id !== 'm7'),
      ]);
      expect(logged[1]).toEqual({ ...event('m0'), seq: seqs[0], workspaceId: 'a' });
    } finally {
      await store.close();
    }
  });

  it('commits a view larger than one batch of rows', async () => {
    const store = openFresh();
    await store.migrate();
    try {
      const profiles = Array.from({ length: 12_000 }, (_, n): ProfileState => {
        const id = `p${n}`;
        return {
          id,
          workspaceId: 'a',
          identifiers: { email: [`${id}@x.com`] },
          traits: {},
          computed: {},
          consent: {},
          firstSeen: n,
          lastSeen: n,
          recent: [],
          mergedIds: [],
          eventCount: n,
        };
      });
      await store.commitView({
        checkpoint: 1,
        rebuilt: [],
        profiles,
        deletedProfiles: [],
        identifiers: profiles.map((p) => ({ workspaceId: 'a', key: `email:${p.id}@x.com`, profileId: p.id })),
        merges: [],
        eventLinks: [],
        derivedEvents: [],
        memberships: [],
      });
      expect(await store.countProfiles('a')).toBe(12_000);
      expect(await store.loadProfiles('a', ['p11999'])).toEqual([profiles[11_999]]);
      expect((await store.findProfileIds('a', ['email:p5001@x.com'])).get('email:p5001@x.com')).toBe('p5001');
    } finally {
      await store.close();
    }
  });

  it('rolls back a view commit the server rejects after earlier statements succeeded', async () => {
    const store = openFresh();
    await store.migrate();
    try {
      const p1: ProfileState = {
        id: 'p1',
        workspaceId: 'a',
        identifiers: {},
        traits: {},
        computed: {},
        consent: {},
        firstSeen: 0,
        lastSeen: 0,
        recent: [],
        mergedIds: [],
        eventCount: 0,
      };
      await expect(
        store.commitView({
          checkpoint: 4,
          rebuilt: [],
          profiles: [p1],
          // PostgreSQL text cannot hold NUL: the last statement of the commit fails.
          deletedProfiles: [{ workspaceId: 'a', id: 'bad\u0000id' }],
          identifiers: [{ workspaceId: 'a', key: 'user_id:u1', profileId: 'p1' }],
          merges: [],
          eventLinks: [],
          derivedEvents: [],
          memberships: [],
        }),
      ).rejects.toThrow();
      expect(await store.viewCheckpoint()).toBe(0);
      expect(await store.countProfiles('a')).toBe(0);
      expect(await store.findProfileIds('a', ['user_id:u1'])).toEqual(new Map());
    } finally {
      await store.close();
    }
  });

  it('adds the due column and the new tables (derived events, memberships, outbox) to an older schema', async () => {
    const store = openFresh();
    await store.migrate();
    try {
      const schema = schemaOf.get(store) ?? '';
      await admin.query(`ALTER TABLE "${schema}".profiles DROP COLUMN due`);
      await admin.query(
        `DROP TABLE "${schema}".derived_events, "${schema}".segment_members, "${schema}".sends`,
      );
      const p1 = profileRow('p1');
      await admin.query(`INSERT INTO "${schema}".profiles (workspace_id, id, state) VALUES ('a', 'p1', $1)`, [
        JSON.stringify(p1),
      ]);
      await store.migrate();
      expect(await store.loadProfiles('a', ['p1'])).toEqual([p1]);
      expect(
        (await store.dueProfiles({ workspaceId: 'a', at: 100, limit: 10 })).map((row) => row.id),
      ).toEqual([]);
      const due = { ...p1, audience: { segments: {}, risks: {}, stage: null, pending: {}, at: 0, due: 50 } };
      await store.commitView({
        checkpoint: 1,
        rebuilt: [],
        profiles: [due],
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
      expect(await store.nextSendDue()).toBeUndefined();
      const { rows } = await admin.query<{ indexname: string }>(
        'SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND indexname = ANY($2) ORDER BY indexname',
        [schema, ['profiles_by_due', 'sends_by_status', 'sends_by_workspace']],
      );
      expect(rows.map((row) => row.indexname)).toEqual([
        'profiles_by_due',
        'sends_by_status',
        'sends_by_workspace',
      ]);
    } finally {
      await store.close();
    }
  });

  it('gives the keys of an older schema ids once: they count as generated and still work', async () => {
    const store = openFresh();
    await store.migrate();
    try {
      const schema = schemaOf.get(store) ?? '';
      await admin.query(`DROP TABLE "${schema}".api_keys`);
      await admin.query(
        `CREATE TABLE "${schema}".api_keys (hash TEXT PRIMARY KEY, workspace_id TEXT NOT NULL,
           kind TEXT NOT NULL CHECK (kind IN ('write', 'admin')))`,
      );
      await admin.query(`INSERT INTO "${schema}".api_keys VALUES ('h1', 'a', 'write'), ('h2', 'a', 'admin')`);
      await store.migrate();
      const keys = await store.listKeys('a');
      expect(keys.map((key) => [key.kind, key.source, key.revokedAt]).sort()).toEqual([
        ['admin', 'generated', null],
        ['write', 'generated', null],
      ]);
      for (const key of keys) expect(key.id).toMatch(/^key_[0-9a-f]{24}$/);
      await store.migrate();
      expect(await store.listKeys('a')).toEqual(keys);
      expect(await store.findKey('h1')).toMatchObject({ workspaceId: 'a', kind: 'write' });
      const fresh = await store.addKey({ workspaceId: 'a', kind: 'write', hash: 'h3' });
      expect(fresh.source).toBe('api');
    } finally {
      await store.close();
    }
  });

  it('adds sends.called_at to an older outbox once, counting what it left sending as handed over', async () => {
    const store = openFresh();
    await store.migrate();
    try {
      const schema = schemaOf.get(store) ?? '';
      await admin.query(`ALTER TABLE "${schema}".sends DROP COLUMN called_at`);
      await admin.query(
        `INSERT INTO "${schema}".sends (workspace_id, id, profile_id, channel, recipient, content, status,
           attempts, next_attempt_at, created_at, updated_at)
         VALUES ('a', 'left', 'p1', 'whatsapp', '+15550100', '{}', 'sending', 1, 60, 60, 61),
                ('a', 'queued', 'p1', 'whatsapp', '+15550100', '{}', 'pending', 0, 60, 60, 62)`,
      );
      await store.migrate();
      expect((await store.getSend('a', 'left'))?.calledAt).toBe(61);
      expect((await store.getSend('a', 'queued'))?.calledAt).toBeUndefined();
      // Later starts leave the column alone: a claimed send waiting for its slot stays unmarked.
      await store.claimSends(100, 10);
      await store.markWaiting([{ workspaceId: 'a', id: 'queued' }]);
      await store.migrate();
      expect((await store.getSend('a', 'queued'))?.calledAt).toBeUndefined();
      const awaiting = {
        channels: [{ workspaceId: 'a', channel: 'whatsapp' as const }],
        until: 900,
        reason: 'wait',
      };
      expect(await store.releaseSending({ at: 110, awaiting })).toEqual({
        released: 1,
        neverCalled: 1,
        awaiting: 1,
      });
    } finally {
      await store.close();
    }
  });

  it('gives an older schema the segment history once, from its derived entries and exits, and keeps its workspace versions', async () => {
    const store = openFresh();
    await store.migrate();
    try {
      const schema = schemaOf.get(store) ?? '';
      await admin.query(`DROP INDEX "${schema}".derived_events_by_segment`);
      await admin.query(`ALTER TABLE "${schema}".derived_events DROP COLUMN segment`);
      await admin.query(`DROP TABLE "${schema}".segment_hours`);
      await admin.query(`DROP TABLE "${schema}".workspace_versions`);
      const body = (event: string, timestamp: number) =>
        JSON.stringify({
          type: 'track',
          event,
          timestamp,
          properties: { segment: 'vip' },
          messageId: `m-${timestamp}`,
        });
      await admin.query(
        `INSERT INTO "${schema}".derived_events (workspace_id, profile_id, seq, ord, body) VALUES
           ('a', 'p1', 1, 0, $1), ('a', 'p2', 2, 0, $2), ('a', 'p1', 3, 0, $3), ('a', 'p1', 3, 1, $4)`,
        [
          body('Segment Entered', 3_600_005),
          body('Segment Entered', 3_600_009),
          body('Segment Exited', 7_200_000),
          body('Lifecycle Stage Changed', 7_200_000),
        ],
      );
      await admin.query(`INSERT INTO "${schema}".workspaces (id, definition, version) VALUES ('a', $1, 3)`, [
        JSON.stringify({ id: 'a', name: 'A' }),
      ]);
      await store.migrate();
      await store.migrate();
      await expectUpgradedHistory(store, 3);
    } finally {
      await store.close();
    }
  });

  it('takes its schema from ?schema= in the store URL', async () => {
    const schema = `${run}_url`;
    schemas.push(schema);
    const store = openStore(`${URL}?schema=${schema}`);
    try {
      await store.migrate();
      await store.appendEvents([{ workspaceId: 'a', event: event('m1') }]);
      const { rows } = await admin.query(`SELECT message_id FROM "${schema}".events`);
      expect(rows).toEqual([{ message_id: 'm1' }]);
    } finally {
      await store.close();
    }
  });

  it.each(['Tailor', 'a-b', '1st', 'x"; DROP TABLE y; --', ''])('rejects the schema name %j', (schema) => {
    expect(() => new PostgresStore({ connectionString: URL, schema })).toThrow(/PostgreSQL schema/);
  });
});

describe('planMerges', () => {
  const merge = (fromId: string, intoId: string, workspaceId = 'a'): MergeRecord => ({
    workspaceId,
    fromId,
    intoId,
    messageId: `m-${fromId}`,
    seq: 1,
    identifiers: [],
    at: 0,
  });
  const pointer = (fromId: string, intoId: string, workspaceId = 'a') => ({ workspaceId, fromId, intoId });

  it.each([
    {
      name: 'a single merge',
      merges: [merge('x', 'y')],
      stored: [],
      aliases: [pointer('x', 'y')],
      repoints: [pointer('x', 'y')],
    },
    {
      name: 'a chain in one commit points everything at the last survivor',
      merges: [merge('x', 'y'), merge('y', 'z')],
      stored: [],
      aliases: [pointer('x', 'z'), pointer('y', 'z')],
      repoints: [pointer('y', 'z'), pointer('x', 'z')],
    },
    {
      name: 'a merge into a merged id goes to its survivor, and stored aliases are repointed',
      merges: [merge('z', 'x'), merge('y', 'w')],
      stored: [pointer('x', 'y'), pointer('v', 'z')],
      aliases: [pointer('z', 'w'), pointer('v', 'w'), pointer('y', 'w'), pointer('x', 'w')],
      repoints: [pointer('y', 'w'), pointer('z', 'w')],
    },
    {
      name: 'a merge of a profile into itself changes nothing',
      merges: [merge('x', 'y'), merge('y', 'x')],
      stored: [],
      aliases: [pointer('x', 'y')],
      repoints: [pointer('x', 'y')],
    },
    {
      name: 'workspaces stay apart',
      merges: [merge('x', 'y', 'a'), merge('y', 'z', 'b')],
      stored: [],
      aliases: [pointer('x', 'y', 'a'), pointer('y', 'z', 'b')],
      repoints: [pointer('y', 'z', 'b'), pointer('x', 'y', 'a')],
    },
  ])('$name', ({ merges, stored, aliases, repoints }) => {
    expect(planMerges(merges, stored)).toEqual({ aliases, repoints });
  });
});
