/**
 * `npx tsx bench/cluster-log.ts`: what the cluster's building blocks cost on this machine, on
 * the real NATS JetStream and PostgreSQL — appending to a partition (one event awaited at a
 * time, and requests of 100 and 1,000 events), replaying a partition, taking a lease and
 * committing a checkpoint under it, and resolving an event's identity in the shared directory. Prints figures; asserts nothing. Uses a stream and a schema
 * of its own and deletes them.
 */
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { PostgresIdentifierDirectory } from '../src/cluster/postgres-identifier-directory.ts';
import { PostgresPartitionLeases } from '../src/cluster/postgres-partition-leases.ts';
import { DEFAULT_IDENTITY_RULES } from '../src/identity/identity-rules.ts';
import type { TailorEvent } from '../src/ingest/event.ts';
import { JetStreamPartitionLog } from '../src/store/nats/jetstream-partition-log.ts';

const NATS_URL = process.env['TAILOR_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const PG_URL = process.env['TAILOR_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const tag = `${process.pid}_${randomBytes(3).toString('hex')}`;
const stream = `TAILOR_BENCH_${tag}`;
const schema = `tailor_bench_${tag}`;

function event(i: number): TailorEvent {
  return {
    type: 'track',
    messageId: `bench-${i}`,
    timestamp: 1_767_225_600_000 + i,
    receivedAt: 1_767_225_600_000 + i,
    userId: `u${i % 1000}`,
    event: 'Product Viewed',
    properties: { sku: `sku-${i % 97}`, price: 1499, currency: 'INR' },
    traits: {},
    context: { ip: '203.0.113.7', page: { path: '/p/shoes', referrer: 'https://www.instagram.com/' } },
    integrations: {},
  };
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
};
const ms = (value: number): string => `${value.toFixed(2)} ms`;

const log = await JetStreamPartitionLog.open({
  servers: NATS_URL,
  stream,
  subjectPrefix: `tailor_bench.${tag}`,
});
let next = 0;
try {
  const single: number[] = [];
  for (let i = 0; i < 2_000; i += 1) {
    const started = performance.now();
    await log.append(0, [{ workspaceId: 'w', event: event(next++) }]);
    single.push(performance.now() - started);
  }
  console.log(
    `append, one event awaited at a time: p50 ${ms(percentile(single, 50))}, p99 ${ms(percentile(single, 99))}`,
  );

  for (const size of [100, 1_000]) {
    const rounds = size === 100 ? 100 : 20;
    const times: number[] = [];
    for (let r = 0; r < rounds; r += 1) {
      const batch = Array.from({ length: size }, () => ({ workspaceId: 'w', event: event(next++) }));
      const started = performance.now();
      await log.append(1, batch);
      times.push(performance.now() - started);
    }
    const total = times.reduce((a, b) => a + b, 0);
    console.log(
      `append, ${size} events a request: p50 ${ms(percentile(times, 50))}, p99 ${ms(percentile(times, 99))}, ${Math.round((size * rounds * 1000) / total).toLocaleString('en')} events/s`,
    );
  }

  const started = performance.now();
  let read = 0;
  let after = 0;
  for (;;) {
    const page = await log.read({ partition: 1, afterSeq: after, limit: 5_000 });
    if (page.length === 0) break;
    read += page.length;
    after = page[page.length - 1]?.seq ?? after;
  }
  const readMs = performance.now() - started;
  console.log(
    `replay of a partition (${read.toLocaleString('en')} events, pages of 5,000): ${Math.round((read * 1000) / readMs).toLocaleString('en')} events/s`,
  );
} finally {
  await log.close();
  const connection = await connect({ servers: NATS_URL });
  await (await jetstreamManager(connection)).streams.delete(stream);
  await connection.close();
}

const leases = await PostgresPartitionLeases.open({ connectionString: PG_URL, schema });
try {
  const acquire: number[] = [];
  const commit: number[] = [];
  for (let p = 0; p < 500; p += 1) {
    let started = performance.now();
    const lease = await leases.acquire({ partition: p, owner: 'bench', ttlMs: 10_000 });
    acquire.push(performance.now() - started);
    if (lease === undefined) throw new Error('no lease');
    started = performance.now();
    await leases.fenced(lease, (client) => leases.writeCheckpoint(client, lease, p + 1));
    commit.push(performance.now() - started);
  }
  console.log(`lease taken: p50 ${ms(percentile(acquire, 50))}, p99 ${ms(percentile(acquire, 99))}`);
  console.log(
    `fenced commit of a checkpoint alone (BEGIN, lease row FOR SHARE, upsert, COMMIT): p50 ${ms(percentile(commit, 50))}, p99 ${ms(percentile(commit, 99))}`,
  );
  const directory = await PostgresIdentifierDirectory.open({ connectionString: PG_URL, schema });
  try {
    const resolve: number[] = [];
    for (let i = 0; i < 1_000; i += 1) {
      // A new visitor, a sign-up linking an email, a login merging with another device's profile.
      const identifiers =
        i % 3 === 0
          ? [{ type: 'anonymous_id', value: `a${i}` }]
          : i % 3 === 1
            ? [
                { type: 'anonymous_id', value: `a${i - 1}` },
                { type: 'email', value: `p${i}@example.com` },
              ]
            : [
                { type: 'user_id', value: `U${i}` },
                { type: 'email', value: `p${i - 1}@example.com` },
                { type: 'anonymous_id', value: `b${i}` },
              ];
      const started = performance.now();
      await directory.resolve({
        workspaceId: 'w',
        identifiers,
        rules: DEFAULT_IDENTITY_RULES,
        newProfileId: () => `prf_${i}`,
      });
      resolve.push(performance.now() - started);
    }
    console.log(
      `identity resolved at the edge (one event, SERIALIZABLE): p50 ${ms(percentile(resolve, 50))}, p99 ${ms(percentile(resolve, 99))}`,
    );
  } finally {
    await directory.close();
  }
} finally {
  await leases.close();
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
  await admin.end();
}
