import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartitionOwner } from '../../src/cluster/partition-owner.ts';
import { PostgresEventClaims } from '../../src/cluster/postgres-event-claims.ts';
import { PostgresPartitionLeases } from '../../src/cluster/postgres-partition-leases.ts';
import { MemoryPartitionLog } from '../../src/store/memory/memory-partition-log.ts';
import { BusUnavailableError } from '../../src/store/nats/bus-unavailable-error.ts';
import type { PartitionLog } from '../../src/store/ports/partition-log.ts';
import { OrderCounts, orderCountsTable, replayedCounts, storedCounts } from '../support/order-counts-view.ts';

/**
 * Nodes joining, leaving and dying over eight partitions: leases and checkpoints in the real
 * PostgreSQL, the log in memory (shared by the nodes as JetStream would be). Whoever owned a
 * partition when, its stored view must equal a replay of its log.
 */
const PG_URL = process.env['TAILOR_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `tailor_owner_${process.pid}_${randomBytes(4).toString('hex')}`;
const P = 8;
const LONG = 60_000;

const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
const log = new MemoryPartitionLog();
let leases: PostgresPartitionLeases;
let claims: PostgresEventClaims;
let message = 0;

function node(name: string): PartitionOwner {
  return new PartitionOwner({
    node: name,
    partitions: P,
    ttlMs: LONG,
    log,
    leases,
    claims,
    viewFor: (partition) => new OrderCounts(SCHEMA, partition),
  });
}

/** `count` orders into every partition. */
async function publish(count: number): Promise<void> {
  for (let p = 0; p < P; p += 1) {
    const events = Array.from({ length: count }, (_, i) => {
      const at = Date.parse('2026-03-01T10:00:00Z') + message;
      return {
        workspaceId: 'w1',
        event: {
          type: 'track' as const,
          messageId: `o-${message++}`,
          timestamp: at,
          receivedAt: at,
          userId: `p${p}u${i % 2}`,
          event: 'Order Completed',
          properties: { revenue: 5 + i },
          traits: {},
          context: {},
          integrations: {},
        },
      };
    });
    await log.append(p, events);
  }
}

async function expectEveryViewReplayed(): Promise<void> {
  for (let p = 0; p < P; p += 1) {
    expect(await storedCounts(admin, SCHEMA, p), `partition ${p}`).toEqual(await replayedCounts(log, p));
  }
}

async function owners(): Promise<Record<number, string>> {
  const live = (await leases.list()).filter((lease) => !lease.expired);
  return Object.fromEntries(live.map((lease) => [lease.partition, lease.owner]));
}

beforeAll(async () => {
  leases = await PostgresPartitionLeases.open({ connectionString: PG_URL, schema: SCHEMA });
  claims = await PostgresEventClaims.open({ connectionString: PG_URL, schema: SCHEMA });
  await admin.query(orderCountsTable(SCHEMA));
});

afterAll(async () => {
  await leases.close();
  await claims.close();
  await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await admin.end();
});

describe('partition owners joining, leaving and dying, on the real PostgreSQL', () => {
  it('hands partitions over as nodes come and go, and every view equals a replay of its log', async () => {
    const a = node('a');
    expect((await a.round()).took).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    await publish(6);
    await a.work(100);
    await expectEveryViewReplayed();

    // b joins: it takes nothing still leased; a releases its upper half; b takes it.
    const b = node('b');
    expect((await b.round()).took).toEqual([]);
    await publish(3);
    expect((await a.round()).released).toEqual([7, 6, 5, 4]);
    expect((await b.round()).took).toEqual([4, 5, 6, 7]);
    expect(await owners()).toEqual({ 0: 'a', 1: 'a', 2: 'a', 3: 'a', 4: 'b', 5: 'b', 6: 'b', 7: 'b' });
    await publish(4);
    await a.work(100);
    await b.work(100);
    await expectEveryViewReplayed();

    // c joins: a and b each release one partition to it.
    const c = node('c');
    await c.round();
    await a.round();
    await b.round();
    expect((await c.round()).took).toHaveLength(2);
    const ofC = c.owned;
    await publish(2);
    await c.work(100);
    await publish(2);

    // c stops answering: a lease's length passes without its renewals (its rows run out).
    await admin.query(`UPDATE "${SCHEMA}".partition_leases SET expires_at = now() WHERE owner = 'c'`);
    await admin.query(`UPDATE "${SCHEMA}".cluster_nodes SET expires_at = now() WHERE node = 'c'`);
    await a.round();
    await b.round();
    expect(Object.keys(await owners())).toHaveLength(P);
    expect(new Set(Object.values(await owners()))).toEqual(new Set(['a', 'b']));
    expect(a.owned.length + b.owned.length).toBe(P);
    await a.work(100);
    await b.work(100);

    // c wakes up and works on: its commits are refused, and it finds its partitions gone.
    expect(await c.work(100)).toEqual(ofC);
    expect(c.owned).toEqual([]);
    await expectEveryViewReplayed();

    // b stops cleanly: a takes everything in its next round, from b's checkpoints.
    await b.stop();
    expect((await a.round()).took).toHaveLength(4);
    await publish(1);
    await a.work(100);
    expect(a.owned).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    await expectEveryViewReplayed();
    await a.stop();
    expect(await leases.liveNodes()).toEqual([]);
  });
  it('a node that cannot read the log for half a lease lets its partitions go, and comes back when it can', async () => {
    let down = false;
    const away = () => Promise.reject(new BusUnavailableError('NATS is away in this test', undefined));
    const cutOff: PartitionLog = {
      append: (partition, events) => log.append(partition, events),
      read: (query) => (down ? away() : log.read(query)),
      lastSeq: (partition) => (down ? away() : log.lastSeq(partition)),
      close: async () => undefined,
    };
    let now = 1_000_000;
    const d = new PartitionOwner({
      node: 'd',
      partitions: P,
      ttlMs: LONG,
      log: cutOff,
      leases,
      claims,
      viewFor: (partition) => new OrderCounts(SCHEMA, partition),
      now: () => now,
    });
    const e = node('e');
    await d.round();
    await e.round();
    await d.round();
    await e.round();
    expect(d.owned).toHaveLength(P / 2);
    const ofD = d.owned;
    await publish(3);
    await d.work(100);
    await e.work(100);

    // d loses NATS: its reads fail, but a moment of that is no reason to let go.
    down = true;
    await publish(2);
    expect(await d.work(100)).toEqual([]);
    expect((await d.round()).withdrawn).toBe(false);
    expect(d.owned).toEqual(ofD);

    // Half a lease later it withdraws: partitions released, heartbeat gone; e takes them all.
    now += LONG / 2;
    const withdrawal = await d.round();
    expect(withdrawal).toMatchObject({ withdrawn: true, released: ofD, lost: [] });
    expect(d.owned).toEqual([]);
    expect(await leases.liveNodes()).toEqual(['e']);
    expect((await e.round()).took).toEqual(ofD);
    await e.work(100);
    await expectEveryViewReplayed();

    // NATS is back: d's next round finds the log readable and takes part again.
    down = false;
    expect((await d.round()).withdrawn).toBe(false);
    expect(await leases.liveNodes()).toEqual(['d', 'e']);
    expect((await e.round()).released).toHaveLength(P / 2);
    expect((await d.round()).took).toHaveLength(P / 2);
    await publish(1);
    await d.work(100);
    await e.work(100);
    await expectEveryViewReplayed();
    await d.stop();
    await e.stop();
  });
});
