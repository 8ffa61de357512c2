import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fakeClock } from '../../src/clock.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { TailorEvent } from '../../src/ingest/event.ts';
import { isAppendInDoubt } from '../../src/store/append-in-doubt-error.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { workspaceYaml } from '../support/test-tailor.ts';

const URL = process.env['TAILOR_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = `tailor_badevt_${process.pid}_${randomBytes(4).toString('hex')}`;
const schemas: string[] = [];
const admin = new pg.Pool({ connectionString: URL, max: 1 });

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});
afterAll(async () => {
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

async function openEngine(): Promise<{ engine: Engine; store: PostgresStore; schema: string }> {
  const schema = `${run}_${schemas.length}`;
  schemas.push(schema);
  const store = new PostgresStore({ connectionString: URL, schema, poolSize: 2 });
  const clock = fakeClock('2026-03-01T10:00:00Z');
  engine = await Engine.open({ store, clock: clock.now, checkpointIntervalMs: 60_000 });
  await engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop') }));
  return { engine, store, schema };
}

const at = Date.parse('2026-03-01T10:00:00Z');
const order = (messageId: string, userId: string): TailorEvent => ({
  type: 'track',
  messageId,
  timestamp: at,
  receivedAt: at,
  userId,
  event: 'Order Completed',
  properties: {},
  traits: {},
  context: {},
  integrations: {},
});

describe('one bad event on PostgreSQL', () => {
  it('fails only the request whose event PostgreSQL refuses (a NUL it cannot parse), not the others of its group', async () => {
    const { engine: tailor, store } = await openEngine();
    const good = Array.from({ length: 8 }, (_, n) => tailor.ingest('shop', [order(`good-${n}`, `u${n}`)]));
    const bad = tailor.ingest('shop', [order('bad-\u0000', 'mallory')]);
    const answers = await Promise.allSettled([...good, bad]);
    expect(answers.map((a) => a.status)).toEqual([...Array(8).fill('fulfilled'), 'rejected']);
    const ids = Array.from({ length: 8 }, (_, n) => `good-${n}`);
    expect((await store.readEventsById('shop', ids)).map((e) => e.messageId)).toEqual(ids);
    for (let n = 0; n < 8; n += 1) {
      const profile = await tailor.reads.findProfile('shop', `user_id:u${n}`);
      expect(profile?.eventCount).toBe(1);
    }
  });

  it('reports a failed COMMIT as in doubt and does not retry its group member by member', async () => {
    const { engine: tailor, store, schema } = await openEngine();
    // A deferred constraint checked only at COMMIT: the append fails at its commit.
    await admin.query(`
      CREATE FUNCTION "${schema}".refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.message_id LIKE 'doubt-%' THEN RAISE EXCEPTION 'refused at commit'; END IF;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON "${schema}".events
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "${schema}".refuse_at_commit();`);
    const thrown = await store
      .appendEvents([{ workspaceId: 'shop', event: order('doubt-0', 'x') }])
      .catch((error: unknown) => error);
    expect(isAppendInDoubt(thrown)).toBe(true);
    const answers = await Promise.allSettled([
      tailor.ingest('shop', [order('plain-1', 'u1')]),
      tailor.ingest('shop', [order('doubt-1', 'u2')]),
    ]);
    // In doubt: the group fails as a whole; a retry could log duplicates that are never applied.
    expect(answers.map((a) => a.status)).toEqual(['rejected', 'rejected']);
    expect(await store.readEventsById('shop', ['plain-1'])).toEqual([]);
  });
});
