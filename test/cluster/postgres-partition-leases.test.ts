import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartitionLease } from '../../src/cluster/partition-lease.ts';
import { PostgresPartitionLeases } from '../../src/cluster/postgres-partition-leases.ts';
import { TailorError } from '../../src/errors.ts';

const PG_URL = process.env['TAILOR_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `tailor_leases_${process.pid}_${randomBytes(4).toString('hex')}`;
const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
let leases: PostgresPartitionLeases;
/** Each test its own partition, so the tests share the schema without meeting. */
let nextPartition = 0;
const partition = () => nextPartition++;

/** A lease of 0 ms: run out as soon as it is taken, by the database's clock (no sleeping). */
const EXPIRED = 0;
const LONG = 60_000;

async function leaseLostCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TailorError) return error.code;
    throw error;
  }
  return 'committed';
}

beforeAll(async () => {
  leases = await PostgresPartitionLeases.open({ connectionString: PG_URL, schema: SCHEMA });
  await admin.query(`CREATE TABLE "${SCHEMA}".view_rows (partition integer, note text)`);
});

afterAll(async () => {
  await leases.close();
  await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await admin.end();
});

/** What a partition owner commits: a view row and the checkpoint, under its lease. */
function commit(lease: PartitionLease, seq: number, note: string): Promise<void> {
  return leases.fenced(lease, async (client) => {
    await client.query(`INSERT INTO "${SCHEMA}".view_rows VALUES ($1, $2)`, [lease.partition, note]);
    await leases.writeCheckpoint(client, lease, seq);
  });
}

async function notes(p: number): Promise<string[]> {
  const { rows } = await admin.query<{ note: string }>(
    `SELECT note FROM "${SCHEMA}".view_rows WHERE partition = $1 ORDER BY note`,
    [p],
  );
  return rows.map((row) => row.note);
}

describe('partition leases with fencing tokens on the real PostgreSQL', () => {
  it('gives a free partition to one node with token 1, and refuses it to others while the lease runs', async () => {
    const p = partition();
    const a = await leases.acquire({ partition: p, owner: 'node-a', ttlMs: LONG });
    expect(a).toMatchObject({ partition: p, owner: 'node-a', token: 1 });
    expect(a?.expiresAt).toBeGreaterThan(Date.now() + LONG / 2);
    expect(await leases.acquire({ partition: p, owner: 'node-b', ttlMs: LONG })).toBeUndefined();
    expect(await leases.acquire({ partition: p, owner: 'node-a', ttlMs: LONG })).toBeUndefined();
    const listed = (await leases.list()).find((lease) => lease.partition === p);
    expect(listed).toMatchObject({ owner: 'node-a', token: 1, expired: false });
  });

  it('renews a lease under its token, and lets another node take it once it ran out, with the next token', async () => {
    const p = partition();
    const a = await leases.acquire({ partition: p, owner: 'node-a', ttlMs: EXPIRED });
    if (a === undefined) throw new Error('no lease');
    expect((await leases.list()).find((lease) => lease.partition === p)?.expired).toBe(true);
    const renewed = await leases.renew(a, LONG);
    expect(renewed).toMatchObject({ token: 1, owner: 'node-a' });
    expect(await leases.acquire({ partition: p, owner: 'node-b', ttlMs: LONG })).toBeUndefined();

    const short = await leases.renew(a, EXPIRED);
    expect(short?.token).toBe(1);
    const b = await leases.acquire({ partition: p, owner: 'node-b', ttlMs: LONG });
    expect(b).toMatchObject({ owner: 'node-b', token: 2 });
    expect(await leases.renew(a, LONG)).toBeUndefined();
  });

  it('refuses the commit of an owner whose lease was taken while it was paused: nothing of it is written', async () => {
    const p = partition();
    const a = await leases.acquire({ partition: p, owner: 'node-a', ttlMs: EXPIRED });
    if (a === undefined) throw new Error('no lease');
    await commit(a, 10, 'a@10');
    expect(await leases.readCheckpoint(p)).toBe(10);

    // node-a pauses past its lease; node-b takes the partition, replays and commits.
    const b = await leases.acquire({ partition: p, owner: 'node-b', ttlMs: LONG });
    if (b === undefined) throw new Error('no takeover');
    await commit(b, 15, 'b@15');

    // node-a wakes up and commits what it applied meanwhile: refused, whole.
    expect(await leaseLostCode(commit(a, 12, 'a@12'))).toBe('PARTITION_LEASE_LOST');
    expect(await notes(p)).toEqual(['a@10', 'b@15']);
    expect(await leases.readCheckpoint(p)).toBe(15);
    expect(await leaseLostCode(commit(b, 20, 'b@20'))).toBe('committed');
    expect(await leases.readCheckpoint(p)).toBe(20);
  });

  it('makes a takeover wait for a commit in flight, and refuses that owner afterwards', async () => {
    const p = partition();
    const a = await leases.acquire({ partition: p, owner: 'node-a', ttlMs: EXPIRED });
    if (a === undefined) throw new Error('no lease');
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inside: () => void = () => {};
    const entered = new Promise<void>((resolve) => {
      inside = resolve;
    });
    const inFlight = leases.fenced(a, async (client) => {
      inside();
      await held;
      await client.query(`INSERT INTO "${SCHEMA}".view_rows VALUES ($1, 'a in flight')`, [p]);
      await leases.writeCheckpoint(client, a, 5);
    });
    await entered;
    let tookOver = false;
    const takeover = leases.acquire({ partition: p, owner: 'node-b', ttlMs: LONG }).then((lease) => {
      tookOver = true;
      return lease;
    });
    // The takeover blocks on the lease row the commit holds: seen waiting for a lock in the server.
    let waiting = 0;
    for (let poll = 0; poll < 200 && waiting === 0; poll += 1) {
      const { rows } = await admin.query<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity
         WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO "${SCHEMA}".partition_leases%'`,
      );
      waiting = rows[0]?.waiting ?? 0;
    }
    expect(waiting).toBe(1);
    expect(tookOver).toBe(false);
    release();
    await inFlight;
    expect(await takeover).toMatchObject({ owner: 'node-b', token: 2 });
    expect(await leaseLostCode(commit(a, 6, 'a late'))).toBe('PARTITION_LEASE_LOST');
    expect(await notes(p)).toEqual(['a in flight']);
    expect(await leases.readCheckpoint(p)).toBe(5);
  });

  it('hands a released partition to the next node at once', async () => {
    const p = partition();
    const a = await leases.acquire({ partition: p, owner: 'node-a', ttlMs: LONG });
    if (a === undefined) throw new Error('no lease');
    await leases.release(a);
    expect(await leases.acquire({ partition: p, owner: 'node-c', ttlMs: LONG })).toMatchObject({
      owner: 'node-c',
      token: 2,
    });
  });

  it('refuses a checkpoint written under an older token than the stored one', async () => {
    const p = partition();
    const a = await leases.acquire({ partition: p, owner: 'node-a', ttlMs: EXPIRED });
    if (a === undefined) throw new Error('no lease');
    const b = await leases.acquire({ partition: p, owner: 'node-b', ttlMs: LONG });
    if (b === undefined) throw new Error('no takeover');
    await commit(b, 30, 'b@30');
    // A stale writer that skipped the fence (a bug) still cannot move the checkpoint back.
    const client = await admin.connect();
    try {
      await expect(leases.writeCheckpoint(client, a, 3)).rejects.toMatchObject({
        code: 'PARTITION_LEASE_LOST',
      });
    } finally {
      client.release();
    }
    expect(await leases.readCheckpoint(p)).toBe(30);
  });
});
