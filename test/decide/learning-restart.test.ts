import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { fakeClock } from '../../src/clock.ts';
import type { LearningSnapshot } from '../../src/decide/learn/learning-snapshot.ts';
import { hashKey } from '../../src/engine/api-keys.ts';
import { Engine } from '../../src/engine/engine.ts';
import { EngineLearning } from '../../src/engine/engine-learning.ts';
import { buildServer } from '../../src/http/server.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { eventually } from '../support/demo-tailor.ts';
import { learningActions, learningPlacements } from '../support/learning-sections.ts';
import { bearer, sendAccepted, type TestTailor, tempDir, workspaceYaml } from '../support/test-tailor.ts';

const SECTIONS = (priorStrength: number) =>
  `${learningActions('1h')}${learningPlacements('1h').slice(1)}learning: { prior_strength: ${priorStrength} }
holdout: { percent: 30, salt: s }
`;

const PEOPLE = Array.from({ length: 12 }, (_, i) => `u${i}`);

/** Where a test's Tailor keeps its data: each `store()` is a new store over the same data. */
interface Backend {
  name: string;
  store(): Promise<Store>;
  /** Takes the (closed) data back to before learning states were kept: no table, an older SQLite version. */
  downgrade(): Promise<void>;
  cleanup(): Promise<void>;
}

function sqliteBackend(): Backend {
  const dir = tempDir('tailor-learn-restart-');
  return {
    name: 'SQLite',
    store: async () => new SqliteStore({ path: join(dir, 'tailor.db') }),
    downgrade: async () => {
      const db = new Database(join(dir, 'tailor.db'));
      db.exec('DROP TABLE learning_states; PRAGMA user_version = 8;');
      db.close();
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

const URL = process.env['TAILOR_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const pgAdmin = new pg.Pool({ connectionString: URL, max: 1 });
afterAll(() => pgAdmin.end());

function postgresBackend(): Backend {
  const schema = `tailor_learn_${process.pid}_${randomBytes(4).toString('hex')}`;
  return {
    name: 'PostgreSQL',
    store: async () => new PostgresStore({ connectionString: URL, schema, poolSize: 2 }),
    downgrade: async () => {
      await pgAdmin.query(`DROP TABLE "${schema}".learning_states`);
    },
    cleanup: async () => {
      await pgAdmin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  };
}

/** A store whose `readEvents` calls note the position they read after. */
function watched(inner: Store, reads: number[]): Store {
  return new Proxy(inner, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      if (property !== 'readEvents') return value.bind(target);
      return (query: { afterSeq: number; limit: number }) => {
        reads.push(query.afterSeq);
        return target.readEvents(query);
      };
    },
  });
}

interface Opened {
  tailor: TestTailor;
  /** The store under the engine (not watched). */
  store: Store;
  /** `afterSeq` of every `readEvents` the engine made. */
  reads: number[];
}

/** Opens a Tailor on the backend's data; on a fresh one, applies the workspace and adds keys. */
async function open(backend: Backend, clock: ReturnType<typeof fakeClock>, fresh = false): Promise<Opened> {
  const store = await backend.store();
  await store.migrate();
  const reads: number[] = [];
  const engine = await Engine.open({
    store: watched(store, reads),
    clock: clock.now,
    checkpointIntervalMs: 3_600_000,
    timerIntervalMs: 3_600_000,
    commitEveryEvents: 7,
    learningSnapshotEvery: 20,
  });
  if (fresh) {
    await engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop') + SECTIONS(2) }));
    await store.addKey({ workspaceId: 'shop', kind: 'write', hash: hashKey('wk_shop') });
    await store.addKey({ workspaceId: 'shop', kind: 'admin', hash: hashKey('ak_shop') });
  }
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
  return { tailor, store, reads };
}

/** Rounds of decisions for everyone (actions and placements), then orders from some of them. */
async function workload(tailor: TestTailor, rounds: readonly number[]): Promise<void> {
  for (const round of rounds) {
    for (const [i, userId] of PEOPLE.entries()) {
      const reply = await tailor.app.inject({
        method: 'POST',
        url: `/v1/profiles/user_id:${userId}/decide`,
        headers: { 'content-type': 'application/json', authorization: bearer(tailor.adminKey) },
        payload: JSON.stringify({ placements: ['hero', 'promo'] }),
      });
      expect(reply.statusCode).toBe(200);
      tailor.clock.advance(30_000 + i * 1_000);
    }
    tailor.clock.advance(10 * 60_000);
    for (const [i, userId] of PEOPLE.entries()) {
      if ((i * 7 + round * 3) % 4 !== 0) continue;
      await sendAccepted(tailor, '/v1/track', {
        userId,
        event: 'Order Completed',
        properties: { revenue: 10 + i + round },
      });
    }
    tailor.clock.advance(2 * 3_600_000);
  }
}

/** Waits until what the engine recorded itself (decisions, goals reached) is applied, and commits. */
async function settle(engine: Engine): Promise<void> {
  for (let pass = 0; pass < 3; pass += 1) {
    await eventually(async () => (engine.pendingEvents === 0 ? true : undefined));
    await engine.commit();
  }
}

/** The learning state a count of the whole log gives: what the engine held before snapshots. */
async function replayed(store: Store, engine: Engine): Promise<LearningSnapshot> {
  const workspace = engine.workspace('shop');
  if (workspace === undefined) throw new Error('no workspace');
  const fresh = new EngineLearning();
  await fresh.warm({ log: store, upTo: await store.lastSeq(), workspaces: [workspace] });
  return fresh.state('shop').snapshot();
}

function learned(engine: Engine): LearningSnapshot {
  return engine.learning.state('shop').snapshot();
}

describe.each([
  ['SQLite', sqliteBackend],
  ['PostgreSQL', postgresBackend],
])('the learning state kept with the view (%s)', (_name, backendOf) => {
  it('restarts and recovers from a crash into the state a count of the whole log gives, without counting the log before the kept state', async () => {
    const backend = backendOf();
    const clock = fakeClock('2026-03-01T10:00:00Z');
    try {
      const first = await open(backend, clock, true);
      for (const [i, userId] of PEOPLE.entries())
        await sendAccepted(first.tailor, '/v1/identify', {
          userId,
          traits: { plan: i % 3 ? 'pro' : 'free' },
        });
      await workload(first.tailor, [0, 1, 2]);
      await settle(first.tailor.engine);
      const before = learned(first.tailor.engine);
      expect(before.groups.action[1]).toBeGreaterThan(0);
      expect(before.recent.length).toBeGreaterThan(0);
      expect(before).toEqual(await replayed(first.store, first.tailor.engine));
      await first.tailor.close();

      // A clean close keeps the state at the checkpoint: the start reads nothing before it.
      const second = await open(backend, clock);
      const checkpoint = await second.store.viewCheckpoint();
      expect(checkpoint).toBe(await second.store.lastSeq());
      expect((await second.store.learningStates()).map((row) => row.seq)).toEqual([checkpoint]);
      expect(second.reads.filter((after) => after < checkpoint)).toEqual([]);
      expect(learned(second.tailor.engine)).toEqual(before);

      // More decisions and goals, kept every 20 log positions or so, then a crash between commits.
      await workload(second.tailor, [3, 4, 5, 6]);
      await settle(second.tailor.engine);
      await workload(second.tailor, [7]);
      const kept = await second.store.learningStates();
      const keptSeq = kept[0]?.seq ?? 0;
      expect(keptSeq).toBeGreaterThan(checkpoint);
      expect(await second.store.viewCheckpoint()).toBeLessThan(await second.store.lastSeq());
      await second.store.close();

      const third = await open(backend, clock);
      const readFrom = Math.min(...third.reads);
      expect(readFrom).toBeGreaterThanOrEqual(keptSeq);
      await settle(third.tailor.engine);
      expect(learned(third.tailor.engine)).toEqual(await replayed(third.store, third.tailor.engine));

      // A rebuild counts the state afresh and keeps it with its commit.
      await third.tailor.engine.applyWorkspace(
        parseWorkspaceYaml({ text: workspaceYaml('shop') + SECTIONS(3) }),
      );
      await settle(third.tailor.engine);
      const rebuiltCheckpoint = await third.store.viewCheckpoint();
      expect((await third.store.learningStates()).map((row) => row.seq)).toEqual([rebuiltCheckpoint]);
      expect(learned(third.tailor.engine)).toEqual(await replayed(third.store, third.tailor.engine));
      await third.tailor.close();
    } finally {
      await backend.cleanup();
    }
  });

  it('keeps nothing of an erased person in the learning state it writes', async () => {
    const backend = backendOf();
    const clock = fakeClock('2026-03-01T10:00:00Z');
    try {
      const { tailor, store } = await open(backend, clock, true);
      for (const [i, userId] of PEOPLE.entries())
        await sendAccepted(tailor, '/v1/identify', { userId, traits: { plan: i % 3 ? 'pro' : 'free' } });
      await workload(tailor, [0]);
      await settle(tailor.engine);
      const profileId = (await store.findProfileIds('shop', ['user_id:u0'])).get('user_id:u0') ?? '';
      const kept = async () => (await store.learningStates()).map((row) => row.state).join('');
      tailor.engine.learning.keepAll();
      await tailor.engine.commit();
      expect(await kept()).toContain(`"${profileId}"`);
      // What the store keeps of the learning state when the person's data is removed: already
      // without them, so a crash before the removal leaves nothing a retried erasure would miss.
      const keptWhenErased: string[] = [];
      const eraseProfiles = store.eraseProfiles.bind(store);
      store.eraseProfiles = async (...args) => {
        keptWhenErased.push(await kept());
        return eraseProfiles(...args);
      };
      const reply = await tailor.app.inject({
        method: 'DELETE',
        url: '/v1/profiles/user_id:u0',
        headers: { authorization: bearer(tailor.adminKey) },
      });
      expect(reply.statusCode).toBe(200);
      expect(keptWhenErased).toHaveLength(1);
      expect(keptWhenErased[0]).not.toContain(profileId);
      expect(await kept()).not.toContain(profileId);
      expect(JSON.stringify(learned(tailor.engine))).not.toContain(profileId);
      await tailor.close();
    } finally {
      await backend.cleanup();
    }
  });

  it('upgrades data from before learning states were kept: counts the log once, then keeps the state', async () => {
    const backend = backendOf();
    const clock = fakeClock('2026-03-01T10:00:00Z');
    try {
      const first = await open(backend, clock, true);
      for (const [i, userId] of PEOPLE.entries())
        await sendAccepted(first.tailor, '/v1/identify', {
          userId,
          traits: { plan: i % 3 ? 'pro' : 'free' },
        });
      await workload(first.tailor, [0, 1]);
      await settle(first.tailor.engine);
      const before = learned(first.tailor.engine);
      await first.tailor.close();
      await backend.downgrade();

      const upgraded = await open(backend, clock);
      expect(upgraded.reads).toContain(0);
      expect(learned(upgraded.tailor.engine)).toEqual(before);
      await upgraded.tailor.close();

      const again = await open(backend, clock);
      const checkpoint = await again.store.viewCheckpoint();
      expect((await again.store.learningStates()).map((row) => row.seq)).toEqual([checkpoint]);
      expect(again.reads.filter((after) => after < checkpoint)).toEqual([]);
      expect(learned(again.tailor.engine)).toEqual(before);
      await again.tailor.close();
    } finally {
      await backend.cleanup();
    }
  });
});
