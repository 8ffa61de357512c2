import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_NETWORK_POLICY, DEMO_WORKSPACE_FILE } from '../../src/app/settings.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { ProfileState } from '../../src/profile/profile.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { readWorkspaceFile } from '../../src/workspace/read-workspace-file.ts';
import { spawnTailor, stopTailor } from '../support/spawn-tailor.ts';
import { tempDir } from '../support/test-tailor.ts';

const PG_URL = process.env['TAILOR_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `tailor_restart_${process.pid}_${randomBytes(4).toString('hex')}`;
/** The spawned Tailor's connections carry this name, so the kills reach them and nobody else's. */
const APP = SCHEMA;
const WRITE_KEY = 'wk_e2e_pg_restart';
const auth = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
const SENDERS = 4;
const ROUNDS = 20;
const KILLS = 3;
const PEOPLE = 200;
const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });

afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await admin.end();
});

/** One batch of 50 with fixed messageIds: sign-ups with an email and orders. */
function batch(sender: number, round: number): Record<string, unknown>[] {
  return Array.from({ length: 50 }, (_, i) => {
    const n = round * 50 + i;
    const person = (sender * 7919 + n * 31) % PEOPLE;
    const base = {
      messageId: `s${sender}-r${round}-${i}`,
      timestamp: new Date(Date.UTC(2026, 2, 1) + n * 1000).toISOString(),
      userId: `u${person}`,
    };
    return n % 5 === 0
      ? { ...base, type: 'identify', anonymousId: `a${person}`, traits: { email: `p${person}@example.com` } }
      : { ...base, type: 'track', event: 'Order Completed', properties: { revenue: n % 500 } };
  });
}

async function profiles(store: PostgresStore): Promise<ProfileState[]> {
  return (await store.scanProfiles({ workspaceId: 'demo', limit: 100_000 })).sort((a, b) =>
    a.id.localeCompare(b.id),
  );
}

describe('a PostgreSQL restart under ingestion, against the real server process', () => {
  it('the process survives, clients get 200 or 503, and every acknowledged event is applied once', async () => {
    const store = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${SCHEMA}&application_name=${APP}`;
    const tailor = await spawnTailor({
      dataDir: tempDir(),
      env: { TAILOR_WRITE_KEY: WRITE_KEY, TAILOR_STORE: store, TAILOR_CHECKPOINT_MS: '50' },
    });
    const statuses = new Map<number, number>();
    let acknowledged = 0;
    const sender = async (id: number) => {
      for (let round = 0; round < ROUNDS; round += 1) {
        const body = JSON.stringify({ batch: batch(id, round) });
        for (let attempt = 1; ; attempt += 1) {
          const response = await fetch(`${tailor.url}/v1/batch`, {
            method: 'POST',
            headers: { authorization: auth, 'content-type': 'application/json' },
            body,
          });
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          await response.arrayBuffer();
          if (response.status !== 503 || attempt > 200) break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        acknowledged += 1;
      }
    };
    const kills: number[] = [];
    const killer = async () => {
      for (let k = 1; k <= KILLS; k += 1) {
        while (acknowledged < (SENDERS * ROUNDS * k) / (KILLS + 1))
          await new Promise((r) => setTimeout(r, 5));
        const { rows } = await admin.query<{ killed: boolean }>(
          'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = $1',
          [APP],
        );
        kills.push(rows.filter((row) => row.killed).length);
      }
    };
    await Promise.all([killer(), ...Array.from({ length: SENDERS }, (_, id) => sender(id))]);
    expect(tailor.child.exitCode, tailor.output()).toBeNull();
    for (const killed of kills) expect(killed).toBeGreaterThan(0);
    expect([...statuses.keys()].filter((status) => status !== 200 && status !== 503)).toEqual([]);
    expect(await stopTailor(tailor)).toBe(0);

    // Every acknowledged event is logged and applied once; the view equals a full replay.
    const pgStore = new PostgresStore({ connectionString: PG_URL, schema: SCHEMA });
    expect(await pgStore.viewCheckpoint()).toBe(await pgStore.lastSeq());
    const recovered = await profiles(pgStore);
    const orders = recovered.reduce((sum, p) => sum + p.eventCount, 0);
    expect(orders).toBe(SENDERS * ROUNDS * 50);
    const engine = await Engine.open({ store: pgStore, checkpointIntervalMs: 3_600_000 });
    await engine.applyWorkspace(
      await readWorkspaceFile(DEMO_WORKSPACE_FILE, { network: DEMO_NETWORK_POLICY }),
    );
    await engine.commit();
    expect(await profiles(pgStore)).toEqual(recovered);
    await engine.close();
  }, 60_000);
});
