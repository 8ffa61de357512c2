import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresPartitionLeases } from '../../src/cluster/postgres-partition-leases.ts';
import { JetStreamPartitionLog } from '../../src/store/nats/jetstream-partition-log.ts';
import { orderCountsTable, replayedCounts, storedCounts } from '../support/order-counts-view.ts';

/**
 * Two node processes sharing four partitions on the real JetStream and PostgreSQL. One is
 * stopped with SIGSTOP past its lease while events keep coming — a long GC pause, or a node cut
 * off — and the other takes its partitions; resumed, the stopped one finds its commits refused.
 * Every partition's view must then equal a replay of its log: each event applied once.
 */
const NATS_URL = process.env['TAILOR_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const PG_URL = process.env['TAILOR_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const TAG = `${process.pid}_${randomBytes(4).toString('hex')}`;
const SCHEMA = `tailor_nodes_${TAG}`;
const STREAM = `TAILOR_TEST_NODES_${TAG}`;
const SUBJECT_PREFIX = `tailor_test.${TAG}`;
const P = 4;
const TTL_MS = 3_000;
const SCRIPT = resolve(import.meta.dirname, '../support/cluster-node.ts');

const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
let log: JetStreamPartitionLog;
let leases: PostgresPartitionLeases;
const children: ChildProcess[] = [];
let message = 0;

interface Node {
  child: ChildProcess;
  lines: Record<string, unknown>[];
}

function startNode(id: string): Node {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    env: {
      ...process.env,
      NODE_ID: id,
      PARTITIONS: String(P),
      TTL_MS: String(TTL_MS),
      PG_URL,
      SCHEMA,
      NATS_URL,
      STREAM,
      SUBJECT_PREFIX,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const node: Node = { child, lines: [] };
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (let at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n')) {
      node.lines.push(JSON.parse(buffer.slice(0, at)));
      buffer = buffer.slice(at + 1);
    }
  });
  return node;
}

/** Polls `check` until it holds, for at most `ms`; fails with `what` otherwise. */
async function until(what: string, check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resume) => setTimeout(resume, 50));
  }
}

async function owners(): Promise<Record<number, string>> {
  const live = (await leases.list()).filter((lease) => !lease.expired);
  return Object.fromEntries(live.map((lease) => [lease.partition, lease.owner]));
}

async function publish(perPartition: number): Promise<void> {
  for (let p = 0; p < P; p += 1) {
    const events = Array.from({ length: perPartition }, (_, i) => {
      const at = Date.parse('2026-03-01T10:00:00Z') + message;
      return {
        workspaceId: 'w1',
        event: {
          type: 'track' as const,
          messageId: `o-${message++}`,
          timestamp: at,
          receivedAt: at,
          userId: `p${p}u${i % 3}`,
          event: 'Order Completed',
          properties: { revenue: 1 + (i % 7) },
          traits: {},
          context: {},
          integrations: {},
        },
      };
    });
    await log.append(p, events);
  }
}

async function viewsReplayed(): Promise<boolean> {
  for (let p = 0; p < P; p += 1) {
    const stored = JSON.stringify(await storedCounts(admin, SCHEMA, p));
    if (stored !== JSON.stringify(await replayedCounts(log, p))) return false;
  }
  return true;
}

beforeAll(async () => {
  log = await JetStreamPartitionLog.open({
    servers: NATS_URL,
    stream: STREAM,
    subjectPrefix: SUBJECT_PREFIX,
  });
  leases = await PostgresPartitionLeases.open({ connectionString: PG_URL, schema: SCHEMA });
  await admin.query(orderCountsTable(SCHEMA));
});

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    }
  }
  await log.close();
  await leases.close();
  await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await admin.end();
  const connection = await connect({ servers: NATS_URL });
  await (await jetstreamManager(connection)).streams.delete(STREAM).catch(() => undefined);
  await connection.close();
});

describe('node processes on the real JetStream and PostgreSQL', () => {
  it('a node stopped past its lease loses its partitions, and resumed cannot commit over the new owner', async () => {
    const a = startNode('a');
    await until(
      'a owns every partition',
      async () => Object.values(await owners()).filter((o) => o === 'a').length === P,
    );
    await publish(50);
    await until('the views follow the log', viewsReplayed);

    const b = startNode('b');
    await until('a and b share the partitions', async () => {
      const now = Object.values(await owners());
      return now.filter((o) => o === 'a').length === P / 2 && now.filter((o) => o === 'b').length === P / 2;
    });
    await publish(50);
    await until('the views follow the log', viewsReplayed);
    const ofA = Object.entries(await owners())
      .filter(([, owner]) => owner === 'a')
      .map(([partition]) => Number(partition));
    const tokensBefore = new Map((await leases.list()).map((lease) => [lease.partition, lease.token]));

    // a stops (no renewals, no commits) while events keep coming; b takes its partitions.
    a.child.kill('SIGSTOP');
    await publish(40);
    await until(
      'b owns every partition',
      async () => Object.values(await owners()).filter((o) => o === 'b').length === P,
    );
    await until('the views follow the log', viewsReplayed);
    for (const lease of await leases.list()) {
      if (ofA.includes(lease.partition))
        expect(lease.token).toBeGreaterThan(tokensBefore.get(lease.partition) ?? 0);
    }

    // a resumes, still holding in memory what it applied before the stop: it finds its partitions
    // gone (a renewal or a commit refused), and the views stay equal to a replay.
    a.child.kill('SIGCONT');
    await until('a notices it lost its partitions', () =>
      a.lines.some((line) => {
        const lost = (line['round'] as { lost?: number[] } | undefined)?.lost ?? line['lost'];
        return Array.isArray(lost) && lost.length > 0;
      }),
    );
    await publish(20);
    await until('the views follow the log', viewsReplayed);
    expect(await viewsReplayed()).toBe(true);
    const total = Object.values(await storedCounts(admin, SCHEMA, 0)).reduce(
      (sum, [orders]) => sum + orders,
      0,
    );
    expect(total).toBe(50 + 50 + 40 + 20);

    for (const node of [a, b]) node.child.kill('SIGTERM');
    await until('both nodes stopped cleanly', () =>
      [a, b].every((node) => node.lines.some((line) => line['stopped'] !== undefined)),
    );
    expect(await leases.liveNodes()).toEqual([]);
  }, 90_000);
});
