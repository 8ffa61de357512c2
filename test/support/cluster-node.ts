/**
 * One cluster node for the process tests (`node --import tsx test/support/cluster-node.ts`): a
 * `PartitionOwner` on timers over the real JetStream and PostgreSQL, with `OrderCounts` views.
 * Configured by environment (`NODE_ID`, `PARTITIONS`, `TTL_MS`, `PG_URL`, `SCHEMA`, `NATS_URL`,
 * `STREAM`, `SUBJECT_PREFIX`); prints one JSON line per round that changed something, per lost
 * partition and per error; SIGTERM stops it cleanly (commit, release, leave).
 */
import { PartitionOwner } from '../../src/cluster/partition-owner.ts';
import { PostgresEventClaims } from '../../src/cluster/postgres-event-claims.ts';
import { PostgresPartitionLeases } from '../../src/cluster/postgres-partition-leases.ts';
import { runPartitionOwner } from '../../src/cluster/run-partition-owner.ts';
import { JetStreamPartitionLog } from '../../src/store/nats/jetstream-partition-log.ts';
import { OrderCounts } from './order-counts-view.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const ttlMs = Number(env('TTL_MS'));
const schema = env('SCHEMA');
const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

const log = await JetStreamPartitionLog.open({
  servers: env('NATS_URL'),
  stream: env('STREAM'),
  subjectPrefix: env('SUBJECT_PREFIX'),
  timeoutMs: 1_000,
});
const leases = await PostgresPartitionLeases.open({
  connectionString: env('PG_URL'),
  schema,
  queryTimeoutMs: 2_000,
});
const claims = await PostgresEventClaims.open({
  connectionString: env('PG_URL'),
  schema,
  queryTimeoutMs: 2_000,
});
const owner = new PartitionOwner({
  node: env('NODE_ID'),
  partitions: Number(env('PARTITIONS')),
  ttlMs,
  log,
  leases,
  claims,
  viewFor: (partition) => new OrderCounts(schema, partition),
});
const loop = runPartitionOwner(owner, {
  roundMs: Math.floor(ttlMs / 4),
  idleMs: 20,
  batch: 500,
  onRound: (outcome) => {
    if (outcome.took.length + outcome.released.length + outcome.lost.length > 0) {
      print({ round: outcome, owned: owner.owned });
    }
  },
  onLost: (lost) => print({ lost, owned: owner.owned }),
  onError: (error) => print({ error: error instanceof Error ? error.message : String(error) }),
});
print({ started: env('NODE_ID') });

process.once('SIGTERM', () => {
  void (async () => {
    await loop.stop();
    await Promise.all([log.close(), leases.close(), claims.close()]);
    print({ stopped: env('NODE_ID') });
    process.exit(0);
  })();
});
