import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/engine/api-keys.ts';
import { Engine } from '../../src/engine/engine.ts';
import { buildServer } from '../../src/http/server.ts';
import type { ProfileState } from '../../src/profile/profile.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { startTcpOutageProxy } from '../support/tcp-outage-proxy.ts';
import { basic, workspaceYaml } from '../support/test-tailor.ts';

const PG_URL = process.env['TAILOR_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `tailor_outage_${process.pid}_${randomBytes(4).toString('hex')}`;
/** Tailor's connections carry this name, so the kills reach them and nobody else's. */
const APP = SCHEMA;
const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });

const CLIENTS = 6;
const BATCHES = 30;
const BATCH = 20;
const USERS = 8;
const KILLS = 3;
const T0 = Date.parse('2026-03-01T10:00:00Z');

/** The store as a Tailor process opens it (at `url`): its own schema, its connections named `APP`. */
function openStore(url = PG_URL): PostgresStore {
  const separator = url.includes('?') ? '&' : '?';
  return new PostgresStore({
    connectionString: `${url}${separator}application_name=${APP}`,
    schema: SCHEMA,
    poolSize: 4,
  });
}

/** Batch `b` of client `c`: fixed messageIds; identifies (email) and orders of the client's own users. */
function batchOf(c: number, b: number): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  for (let e = 0; e < BATCH; e += 1) {
    const user = `c${c}u${(b * BATCH + e) % USERS}`;
    const base = {
      messageId: `c${c}-b${b}-e${e}`,
      userId: user,
      timestamp: new Date(T0 + b * 1000 + e).toISOString(),
    };
    items.push(
      e % 5 === 0
        ? { ...base, type: 'identify', anonymousId: `anon-${user}`, traits: { email: `${user}@x.com` } }
        : { ...base, type: 'track', event: 'Order Completed', properties: { revenue: e } },
    );
  }
  return items;
}

/** Kills every backend Tailor holds, as a database restart or failover does; returns how many. */
async function killBackends(): Promise<number> {
  const { rows } = await admin.query<{ killed: boolean }>(
    'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
    [APP],
  );
  return rows.filter((row) => row.killed).length;
}

/** Every profile of the workspace, by id, as the store holds it. */
async function storedProfiles(store: PostgresStore): Promise<ProfileState[]> {
  return (await store.scanProfiles({ workspaceId: 'shop', limit: 100_000 })).sort((a, b) =>
    a.id.localeCompare(b.id),
  );
}

beforeAll(async () => {
  await admin.query('SELECT 1');
});

afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await admin.end();
});

describe('PostgreSQL connections terminated under load', () => {
  it('the engine survives, clients get 200 or 503, retries succeed, and every event is applied once', async () => {
    const store = openStore();
    const engine = await Engine.open({ store, checkpointIntervalMs: 25, commitEveryEvents: 400 });
    await engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop') }));
    await store.addKey({ workspaceId: 'shop', kind: 'write', hash: hashKey('wk_shop') });
    const app = await buildServer({ engine });

    const statuses = new Map<number, number>();
    let acknowledged = 0;
    const client = async (c: number): Promise<void> => {
      for (let b = 0; b < BATCHES; b += 1) {
        const payload = JSON.stringify({ batch: batchOf(c, b) });
        for (let attempt = 1; ; attempt += 1) {
          const reply = await app.inject({
            method: 'POST',
            url: '/v1/batch',
            headers: { 'content-type': 'application/json', authorization: basic('wk_shop') },
            payload,
          });
          statuses.set(reply.statusCode, (statuses.get(reply.statusCode) ?? 0) + 1);
          if (reply.statusCode === 200) break;
          expect(reply.statusCode, reply.body).toBe(503);
          // The append was refused (STORE_UNAVAILABLE), or a fault past an append stopped the writer.
          expect(['STORE_UNAVAILABLE', 'WRITER_RECOVERING']).toContain(reply.json().code);
          expect(reply.headers['retry-after']).toBe('1');
          if (attempt > 200) throw new Error(`batch ${b} of client ${c} never succeeded`);
          // Retry-After is honoured in spirit: a short pause, not a second, keeps the test short.
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        acknowledged += 1;
      }
    };

    // Kill the backends at fixed points of progress (a quarter, half, three quarters of the batches).
    const total = CLIENTS * BATCHES;
    const kills: number[] = [];
    const killer = async (): Promise<void> => {
      for (let k = 1; k <= KILLS; k += 1) {
        while (acknowledged < (total * k) / (KILLS + 1))
          await new Promise((resolve) => setImmediate(resolve));
        kills.push(await killBackends());
      }
    };
    await Promise.all([killer(), ...Array.from({ length: CLIENTS }, (_, c) => client(c))]);
    expect(kills).toHaveLength(KILLS);
    for (const killed of kills) expect(killed).toBeGreaterThan(0);
    expect([...statuses.keys()].filter((status) => status !== 200 && status !== 503)).toEqual([]);

    // Every acknowledged event is applied exactly once: each user's event count is what was sent.
    await engine.commit();
    const live = await storedProfiles(store);
    expect(live).toHaveLength(CLIENTS * USERS);
    expect(live.reduce((sum, profile) => sum + profile.eventCount, 0)).toBe(total * BATCH);
    for (const profile of live) expect(profile.eventCount).toBe((BATCHES * BATCH) / USERS);
    await app.close();
    await engine.close();

    // A fresh engine on the same schema recovers the same view, which equals a full rebuild.
    const reopenedStore = openStore();
    const reopened = await Engine.open({ store: reopenedStore, checkpointIntervalMs: 3_600_000 });
    const recovered = await storedProfiles(reopenedStore);
    expect(recovered).toEqual(live);
    await reopened.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop') }));
    expect(await storedProfiles(reopenedStore)).toEqual(live);
    await reopened.close();
  }, 30_000);

  it('answers 503 while the database is away and resumes by itself when it is back', async () => {
    const target = new URL(PG_URL);
    const proxy = await startTcpOutageProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(PG_URL);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const store = openStore(viaProxy.toString());
    const engine = await Engine.open({ store, checkpointIntervalMs: 25 });
    await engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('away') }));
    await store.addKey({ workspaceId: 'away', kind: 'write', hash: hashKey('wk_away') });
    const app = await buildServer({ engine });
    const send = (b: number) =>
      app.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: { 'content-type': 'application/json', authorization: basic('wk_away') },
        payload: JSON.stringify({ batch: batchOf(9, b) }),
      });
    try {
      expect((await send(0)).statusCode).toBe(200);

      await proxy.cut();
      for (const b of [1, 2, 3]) {
        const reply = await send(b);
        expect(reply.statusCode, reply.body).toBe(503);
        expect(['STORE_UNAVAILABLE', 'WRITER_RECOVERING']).toContain(reply.json().code);
        expect(reply.headers['retry-after']).toBe('1');
      }
      // A view commit during the outage fails and stops the writer, which recovers by replay.
      await expect(engine.commit()).rejects.toMatchObject({
        code: expect.stringMatching(/^(STORE_UNAVAILABLE|WRITER_RECOVERING)$/),
      });
      expect(engine.recovering).toBe(true);
      expect((await send(1)).json()).toMatchObject({ code: 'WRITER_RECOVERING' });

      await proxy.restore();
      await engine.recovered();
      expect(engine.recovering).toBe(false);
      for (const b of [1, 2, 3]) expect((await send(b)).statusCode).toBe(200);
      await engine.commit();
      const profiles = await store.scanProfiles({ workspaceId: 'away', limit: 1_000 });
      expect(profiles).toHaveLength(USERS);
      expect(profiles.reduce((sum, profile) => sum + profile.eventCount, 0)).toBe(4 * BATCH);
    } finally {
      await app.close();
      await engine.close();
      await proxy.close();
    }
  });

  it('a network partition (no reset) fails queries after query_timeout_ms with 503, and ingestion resumes once it heals', async () => {
    const target = new URL(PG_URL);
    const proxy = await startTcpOutageProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(PG_URL);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const store = new PostgresStore({
      connectionString: `${viaProxy.toString()}?application_name=${APP}`,
      schema: SCHEMA,
      poolSize: 4,
      queryTimeoutMs: 400,
      connectTimeoutMs: 400,
    });
    const engine = await Engine.open({ store, checkpointIntervalMs: 3_600_000 });
    await engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('partition') }));
    await store.addKey({ workspaceId: 'partition', kind: 'write', hash: hashKey('wk_partition') });
    const app = await buildServer({ engine });
    const send = (b: number) =>
      app.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: { 'content-type': 'application/json', authorization: basic('wk_partition') },
        payload: JSON.stringify({ batch: batchOf(7, b) }),
      });
    try {
      expect((await send(0)).statusCode).toBe(200);
      proxy.freeze();
      const started = performance.now();
      const reply = await send(1);
      // Without a query timeout this request would wait for as long as the partition lasts.
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(reply.statusCode, reply.body).toBe(503);
      expect(['STORE_UNAVAILABLE', 'WRITER_RECOVERING']).toContain(reply.json().code);
      proxy.thaw();
      await engine.recovered();
      for (const b of [1, 2]) {
        let answer = await send(b);
        for (let attempt = 0; answer.statusCode !== 200 && attempt < 100; attempt += 1) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          answer = await send(b);
        }
        expect(answer.statusCode, answer.body).toBe(200);
      }
      await engine.commit();
      const profiles = await store.scanProfiles({ workspaceId: 'partition', limit: 1_000 });
      expect(profiles.reduce((sum, profile) => sum + profile.eventCount, 0)).toBe(3 * BATCH);
    } finally {
      await app.close();
      await engine.close();
      await proxy.close();
    }
  }, 30_000);
});
