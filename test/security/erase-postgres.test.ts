import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fakeClock } from '../../src/clock.ts';
import { hashKey } from '../../src/engine/api-keys.ts';
import { Engine } from '../../src/engine/engine.ts';
import { buildServer } from '../../src/http/server.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { bearer, sendAccepted, type TestTailor, workspaceYaml } from '../support/test-tailor.ts';
import { ALICE_REFS, admin, aliasThenIdentify, all, statuses } from './erase-fixtures.ts';

const URL = process.env['TAILOR_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = `tailor_erase_${process.pid}_${randomBytes(4).toString('hex')}`;
const schemas: string[] = [];
const pgAdmin = new pg.Pool({ connectionString: URL, max: 1 });

/** The tables an erase deletes from: each must hold no dead row version afterwards. */
const TOUCHED = [
  'events',
  'event_links',
  'derived_events',
  'segment_members',
  'identifiers',
  'merges',
  'aliases',
  'profiles',
  'sends',
];

beforeAll(async () => {
  await pgAdmin.query('SELECT 1');
  try {
    await pgAdmin.query('CREATE EXTENSION IF NOT EXISTS pgstattuple');
  } catch {
    // Another run created it at the same moment: it exists now.
  }
});

afterAll(async () => {
  for (const schema of schemas) await pgAdmin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pgAdmin.end();
});

let t: TestTailor | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** A test Tailor like `openTestTailor`, on a PostgreSQL schema of its own. */
async function openPostgresTailor(): Promise<{ tailor: TestTailor; schema: string }> {
  const schema = `${run}_${schemas.length}`;
  schemas.push(schema);
  const clock = fakeClock('2026-03-01T10:00:00Z');
  const store = new PostgresStore({ connectionString: URL, schema, poolSize: 2 });
  await store.migrate();
  const engine = await Engine.open({ store, clock: clock.now, checkpointIntervalMs: 60_000 });
  await engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop') }));
  await store.addKey({ workspaceId: 'shop', kind: 'write', hash: hashKey('wk_shop') });
  await store.addKey({ workspaceId: 'shop', kind: 'admin', hash: hashKey('ak_shop') });
  const app = await buildServer({ engine });
  const tailor: TestTailor = {
    app,
    engine,
    store,
    clock,
    writeKey: 'wk_shop',
    adminKey: 'ak_shop',
    async close() {
      await app.close();
      await engine.close();
    },
  };
  return { tailor, schema };
}

/** Dead row versions left in a table (heap and TOAST), counted exactly by `pgstattuple`. */
async function deadTuples(schema: string, table: string): Promise<number> {
  const { rows } = await pgAdmin.query<{ dead: string }>(
    `SELECT (SELECT dead_tuple_count FROM pgstattuple($1::regclass))
       + coalesce((SELECT dead_tuple_count FROM pgstattuple(reltoastrelid::regclass)
                   WHERE reltoastrelid <> 0), 0) AS dead
     FROM pg_class WHERE oid = $1::regclass`,
    [`"${schema}".${table}`],
  );
  return Number(rows[0]?.dead ?? -1);
}

describe('erase on PostgreSQL', () => {
  it('leaves no dead row version of the person in the touched tables when the erase answers', async () => {
    const opened = await openPostgresTailor();
    t = opened.tailor;
    const tailor = opened.tailor;
    for (let n = 0; n < 50; n += 1) {
      await sendAccepted(tailor, '/v1/identify', {
        userId: `crowd-${n}`,
        traits: { email: `crowd-${n}@example.net` },
      });
    }
    await sendAccepted(tailor, '/v1/identify', {
      userId: 'mallory-1',
      traits: {
        email: 'Mallory.Erase@example.org',
        phone: '+91 98450 77123',
        first_name: 'Zebulon-Quixotic',
      },
    });
    for (let n = 0; n < 8; n += 1) {
      await sendAccepted(tailor, '/v1/track', {
        userId: 'mallory-1',
        event: 'Order Completed',
        properties: { revenue: n, note: 'Zebulon-Quixotic' },
      });
      await tailor.engine.commit();
    }
    const before = await Promise.all(TOUCHED.map((table) => deadTuples(opened.schema, table)));
    expect(before.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    const erased = await tailor.app.inject({
      method: 'DELETE',
      url: '/v1/profiles/email:mallory.erase@example.org',
      headers: { authorization: bearer(tailor.adminKey) },
    });
    expect(erased.statusCode).toBe(200);
    expect(erased.json().events).toBe(9);

    const dead = Object.fromEntries(
      await Promise.all(TOUCHED.map(async (table) => [table, await deadTuples(opened.schema, table)])),
    );
    expect(dead).toEqual(Object.fromEntries(TOUCHED.map((table) => [table, 0])));
  });

  it('erases the profile created later for an aliased previousId, and a rebuild does not bring it back', async () => {
    const opened = await openPostgresTailor();
    t = opened.tailor;
    await aliasThenIdentify(t);
    await sendAccepted(t, '/v1/identify', { userId: 'u-someone', traits: { email: 'someone@example.com' } });
    const exported = (await admin(t, 'GET', '/v1/profiles/user_id:u-alice/export')).json();
    expect(exported.linked).toHaveLength(1);

    expect((await admin(t, 'DELETE', '/v1/profiles/user_id:u-alice')).json().events).toBe(3);
    expect(await statuses(t, ALICE_REFS)).toEqual(all(ALICE_REFS, 404));

    const extra = `  - key: identifies
    aggregate: count
    events: [identify]
`;
    await t.engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop', extra) }));
    expect(await statuses(t, ALICE_REFS)).toEqual(all(ALICE_REFS, 404));
    expect(await statuses(t, ['user_id:u-someone'])).toEqual({ 'user_id:u-someone': 200 });
  });
});
