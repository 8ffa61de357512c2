import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartitionRunner } from '../../src/cluster/partition-runner.ts';
import { PostgresEventClaims } from '../../src/cluster/postgres-event-claims.ts';
import { PostgresPartitionLeases } from '../../src/cluster/postgres-partition-leases.ts';
import type { TailorEvent } from '../../src/ingest/event.ts';
import { JetStreamPartitionLog } from '../../src/store/nats/jetstream-partition-log.ts';
import { OrderCounts, orderCountsTable, replayedCounts, storedCounts } from '../support/order-counts-view.ts';
import { startTcpOutageProxy } from '../support/tcp-outage-proxy.ts';

/**
 * Two nodes and one partition, on the real NATS JetStream and PostgreSQL: the log, the leases
 * and the fenced checkpoint together. The view counts each user's orders and their revenue; it
 * must always equal a replay of the log, whoever committed it.
 */
const NATS_URL = process.env['TAILOR_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const PG_URL = process.env['TAILOR_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const TAG = `${process.pid}_${randomBytes(4).toString('hex')}`;
const SCHEMA = `tailor_runner_${TAG}`;
const STREAM = `TAILOR_TEST_RUNNER_${TAG}`;
const LONG = 60_000;
/** A lease that has run out as soon as it is taken (by the database's clock): a paused owner. */
const EXPIRED = 0;

const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
let log: JetStreamPartitionLog;
let leases: PostgresPartitionLeases;
let claims: PostgresEventClaims;
let nextPartition = 0;
let nextMessage = 0;

function order(user: string, revenue: number): TailorEvent {
  const now = Date.parse('2026-03-01T10:00:00Z') + nextMessage;
  return {
    type: 'track',
    messageId: `order-${nextMessage++}`,
    timestamp: now,
    receivedAt: now,
    userId: user,
    event: 'Order Completed',
    properties: { revenue },
    traits: {},
    context: {},
    integrations: {},
  };
}

async function publish(partition: number, count: number): Promise<void> {
  const events = Array.from({ length: count }, (_, i) => ({
    workspaceId: 'w1',
    event: order(`u${i % 3}`, 10 * (i + 1)),
  }));
  await log.append(partition, events);
}

const stored = (partition: number) => storedCounts(admin, SCHEMA, partition);
const replayed = (partition: number) => replayedCounts(log, partition);

function take(partition: number, owner: string, ttlMs: number) {
  return PartitionRunner.take({
    log,
    leases,
    claims,
    view: new OrderCounts(SCHEMA, partition),
    partition,
    owner,
    ttlMs,
  });
}

beforeAll(async () => {
  log = await JetStreamPartitionLog.open({
    servers: NATS_URL,
    stream: STREAM,
    subjectPrefix: `tailor_test.${TAG}`,
  });
  leases = await PostgresPartitionLeases.open({ connectionString: PG_URL, schema: SCHEMA });
  claims = await PostgresEventClaims.open({ connectionString: PG_URL, schema: SCHEMA });
  await admin.query(orderCountsTable(SCHEMA));
});

afterAll(async () => {
  await log.close();
  await leases.close();
  await claims.close();
  await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await admin.end();
  const connection = await connect({ servers: NATS_URL });
  await (await jetstreamManager(connection)).streams.delete(STREAM).catch(() => undefined);
  await connection.close();
});

describe('a partition changing hands, on the real JetStream and PostgreSQL', () => {
  it("applies every event once when a paused owner's partition is taken over: its late commit is refused", async () => {
    const p = nextPartition++;
    await publish(p, 10);
    const a = await take(p, 'node-a', EXPIRED);
    if (a === undefined) throw new Error('node-a got no lease');
    expect(await a.pull(100)).toBe(10);
    expect(await a.commit()).toBe('committed');
    expect(await stored(p)).toEqual(await replayed(p));

    // node-a applies five more events, then pauses before committing; its lease runs out.
    await publish(p, 5);
    expect(await a.pull(100)).toBe(5);

    // node-b takes the partition (token 2), replays after the checkpoint and commits.
    const b = await take(p, 'node-b', LONG);
    if (b === undefined) throw new Error('node-b got no lease');
    expect(b.token).toBe(2);
    expect(b.committedSeq).toBe(a.committedSeq);
    expect(await b.pull(100)).toBe(5);
    expect(await b.commit()).toBe('committed');

    // node-a wakes up: its commit of the same five events is refused, its view dropped.
    expect(await a.commit()).toBe('lost');
    expect(a.lost).toBe(true);
    await expect(a.pull(100)).rejects.toThrow(/take it again/);
    expect(await take(p, 'node-a', LONG)).toBeUndefined();

    const expected = await replayed(p);
    expect(Object.values(expected).reduce((sum, [orders]) => sum + orders, 0)).toBe(15);
    expect(await stored(p)).toEqual(expected);
  });

  it('applies a copy published after the de-duplication window once, and a replay by the next owner skips it too', async () => {
    const p = nextPartition++;
    const original = order('u-late', 70);
    await log.append(p, [{ workspaceId: 'w1', event: original }]);
    await publish(p, 2);
    // The same event again, as a retry a day later gets through JetStream: a new message id.
    const connection = await connect({ servers: NATS_URL });
    const h = headers();
    h.set('Tailor-Workspace', 'w1');
    await jetstream(connection).publish(`tailor_test.${TAG}.${p}`, JSON.stringify(original), { headers: h });
    await connection.close();
    expect((await log.read({ partition: p, afterSeq: 0, limit: 100 })).map((e) => e.messageId)).toContain(
      original.messageId,
    );

    const a = await take(p, 'node-a', EXPIRED);
    if (a === undefined) throw new Error('node-a got no lease');
    expect(await a.pull(100)).toBe(4);
    // node-a pauses before committing; node-b replays the same four events and makes the same choice.
    const b = await take(p, 'node-b', LONG);
    if (b === undefined) throw new Error('node-b got no lease');
    expect(await b.pull(100)).toBe(4);
    expect(await b.commit()).toBe('committed');
    expect(await a.commit()).toBe('lost');
    expect((await stored(p))['u-late']).toEqual([1, 70]);
    expect(await stored(p)).toEqual(await replayed(p));
  });

  it('a renewal after a takeover tells the old owner it lost the partition', async () => {
    const p = nextPartition++;
    const a = await take(p, 'node-a', EXPIRED);
    if (a === undefined) throw new Error('node-a got no lease');
    expect(await take(p, 'node-b', LONG)).toBeDefined();
    expect(await a.renew(LONG)).toBe(false);
    expect(a.lost).toBe(true);
  });

  it('after a failed commit starts again from the stored checkpoint, so nothing is written twice', async () => {
    const p = nextPartition++;
    const proxy = await startTcpOutageProxy({
      host: '127.0.0.1',
      port: Number(new URL(PG_URL).port || 5432),
    });
    const url = new URL(PG_URL);
    url.port = String(proxy.port);
    const cutLeases = await PostgresPartitionLeases.open({
      connectionString: url.toString(),
      schema: SCHEMA,
    });
    try {
      await publish(p, 6);
      const runner = await PartitionRunner.take({
        log,
        leases: cutLeases,
        view: new OrderCounts(SCHEMA, p),
        partition: p,
        owner: 'node-a',
        ttlMs: LONG,
      });
      if (runner === undefined) throw new Error('no lease');
      expect(await runner.pull(3)).toBe(3);
      expect(await runner.commit()).toBe('committed');
      expect(await runner.pull(100)).toBe(3);

      await proxy.cut();
      await expect(runner.commit()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      await proxy.restore();

      // The applied-but-unwritten events are pulled again from the checkpoint and written once.
      expect(await runner.pull(100)).toBe(3);
      expect(await runner.commit()).toBe('committed');
      expect(await stored(p)).toEqual(await replayed(p));
      expect(Object.values(await stored(p)).reduce((sum, [orders]) => sum + orders, 0)).toBe(6);
    } finally {
      await cutLeases.close();
      await proxy.close();
    }
  });
});
