import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TailorError } from '../../../src/errors.ts';
import {
  JetStreamPartitionLog,
  type JetStreamPartitionLogOptions,
} from '../../../src/store/nats/jetstream-partition-log.ts';
import { startTcpOutageProxy, type TcpOutageProxy } from '../../support/tcp-outage-proxy.ts';
import { partitionLogContract, track } from '../contract/partition-log-contract.ts';

/** The machine's NATS with JetStream; every test uses a stream and subjects of its own, deleted after it. */
const NATS_URL = process.env['TAILOR_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const NATS_PORT = Number(new URL(NATS_URL).port || 4222);
const NATS_HOST = new URL(NATS_URL).hostname;

const opened: JetStreamPartitionLog[] = [];
const proxies: TcpOutageProxy[] = [];
const streams: string[] = [];

/** A fresh stream name and subject prefix, remembered for deletion. */
function freshStream(): Pick<JetStreamPartitionLogOptions, 'stream' | 'subjectPrefix'> {
  const tag = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const stream = `TAILOR_TEST_${tag}`;
  streams.push(stream);
  return { stream, subjectPrefix: `tailor_test.${tag}` };
}

/** The stream each log was opened on, so the contract can open it again through a new connection. */
const streamOf = new Map<unknown, Pick<JetStreamPartitionLogOptions, 'stream' | 'subjectPrefix'>>();

async function open(options: Partial<JetStreamPartitionLogOptions> = {}): Promise<JetStreamPartitionLog> {
  const names = { ...freshStream(), ...options };
  const log = await JetStreamPartitionLog.open({ servers: NATS_URL, ...names });
  streamOf.set(log, { stream: names.stream, subjectPrefix: names.subjectPrefix });
  opened.push(log);
  return log;
}

/** The TailorError a promise rejects with, and how long it took to reject. */
async function rejection(promise: Promise<unknown>): Promise<{ error: TailorError; ms: number }> {
  const started = Date.now();
  try {
    await promise;
  } catch (error) {
    if (error instanceof TailorError) return { error, ms: Date.now() - started };
    throw error;
  }
  throw new Error('expected a rejection');
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((log) => log.close()));
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
});

afterAll(async () => {
  const connection = await connect({ servers: NATS_URL });
  const manager = await jetstreamManager(connection);
  for (const stream of streams) await manager.streams.delete(stream).catch(() => undefined);
  await connection.close();
});

partitionLogContract('NATS JetStream', {
  open: () => open(),
  reopen: async (log) => {
    const names = streamOf.get(log);
    if (names === undefined) throw new Error('not a log this suite opened');
    return open(names);
  },
});

describe('JetStreamPartitionLog on the real NATS JetStream', () => {
  it('fails with BUS_UNAVAILABLE, quickly, when NATS cannot be reached at all', async () => {
    const proxy = await startTcpOutageProxy({ host: NATS_HOST, port: NATS_PORT });
    proxies.push(proxy);
    await proxy.cut();
    const { error, ms } = await rejection(
      JetStreamPartitionLog.open({ servers: `nats://127.0.0.1:${proxy.port}`, connectTimeoutMs: 1_000 }),
    );
    expect(error.code).toBe('BUS_UNAVAILABLE');
    expect(error.status).toBe(503);
    expect(error.message).toContain(`127.0.0.1:${proxy.port}`);
    expect(ms).toBeLessThan(3_000);
  });

  it('fails an append with BUS_UNAVAILABLE within its timeout while NATS is away, and the retry after it returns is logged once', async () => {
    const proxy = await startTcpOutageProxy({ host: NATS_HOST, port: NATS_PORT });
    proxies.push(proxy);
    const log = await open({ servers: `nats://127.0.0.1:${proxy.port}`, timeoutMs: 500 });
    await log.append(3, [{ workspaceId: 'w1', event: track('before') }]);

    // A partition: the connection stays open but nothing crosses it. The append must not hang.
    proxy.freeze();
    const frozen = await rejection(log.append(3, [{ workspaceId: 'w1', event: track('during') }]));
    expect(frozen.error.code).toBe('BUS_UNAVAILABLE');
    expect(frozen.ms).toBeLessThan(2_000);

    // The server gone: connections cut, new ones refused.
    proxy.thaw();
    await proxy.cut();
    const cut = await rejection(log.append(3, [{ workspaceId: 'w1', event: track('during') }]));
    expect(cut.error.code).toBe('BUS_UNAVAILABLE');
    expect(cut.ms).toBeLessThan(2_000);

    // Back: the client reconnects by itself; the same event, retried, is logged exactly once.
    await proxy.restore();
    let outcome: unknown;
    for (let attempt = 0; attempt < 40 && outcome === undefined; attempt += 1) {
      outcome = await log.append(3, [{ workspaceId: 'w1', event: track('during') }]).catch(() => undefined);
    }
    expect(outcome).toBeDefined();
    await log.append(3, [{ workspaceId: 'w1', event: track('during') }]);
    const events = await log.read({ partition: 3, afterSeq: 0, limit: 10 });
    expect(events.map((e) => e.messageId)).toEqual(['before', 'during']);
  });

  it('refuses a stream of the same name that carries other subjects', async () => {
    const names = freshStream();
    await open(names);
    await expect(open({ stream: names.stream, subjectPrefix: 'elsewhere' })).rejects.toThrow(
      /exists with subjects .* not "elsewhere\.\*"/,
    );
  });
});
