import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TailorError } from '../../../src/errors.ts';
import type { TailorEvent } from '../../../src/ingest/event.ts';
import {
  JetStreamPartitionLog,
  type JetStreamPartitionLogOptions,
} from '../../../src/store/nats/jetstream-partition-log.ts';
import { startTcpOutageProxy, type TcpOutageProxy } from '../../support/tcp-outage-proxy.ts';

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

async function open(options: Partial<JetStreamPartitionLogOptions> = {}): Promise<JetStreamPartitionLog> {
  const log = await JetStreamPartitionLog.open({ servers: NATS_URL, ...freshStream(), ...options });
  opened.push(log);
  return log;
}

function track(messageId: string, userId = 'u1', n = 0): TailorEvent {
  return {
    type: 'track',
    messageId,
    timestamp: Date.parse('2026-03-01T10:00:00Z') + n,
    receivedAt: Date.parse('2026-03-01T10:00:00Z') + n,
    userId,
    event: 'Order Completed',
    properties: { n, revenue: 10 + n },
    traits: {},
    context: { ip: '203.0.113.7' },
    integrations: {},
  };
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

describe('JetStreamPartitionLog on the real NATS JetStream', () => {
  it('resolves an append once JetStream acknowledged each event, at growing positions per partition', async () => {
    const log = await open();
    const outcomes = await log.append(2, [
      { workspaceId: 'w1', event: track('m1') },
      { workspaceId: 'w1', event: track('m2') },
      { workspaceId: 'w2', event: track('m1') },
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(['appended', 'appended', 'appended']);
    const seqs = outcomes.map((o) => o.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(3);
    expect(await log.lastSeq(2)).toBe(seqs[2]);
    expect(await log.lastSeq(5)).toBe(0);
  });

  it("answers an event whose workspace and messageId it saw within the window as a duplicate at the first copy's position", async () => {
    const log = await open();
    const [first] = await log.append(0, [{ workspaceId: 'w1', event: track('m1') }]);
    const again = await log.append(0, [
      { workspaceId: 'w1', event: track('m1', 'u1', 99) },
      { workspaceId: 'w1', event: track('m2') },
    ]);
    expect(again).toEqual([
      { kind: 'duplicate', seq: first?.seq },
      { kind: 'appended', seq: expect.any(Number) },
    ]);
    // The window is the stream's: the same event routed to another partition is still a duplicate.
    expect(await log.append(7, [{ workspaceId: 'w1', event: track('m1') }])).toEqual([
      { kind: 'duplicate', seq: first?.seq },
    ]);
    const events = await log.read({ partition: 0, afterSeq: 0, limit: 10 });
    expect(events.map((e) => [e.messageId, e.properties?.['n']])).toEqual([
      ['m1', 0],
      ['m2', 0],
    ]);
    expect(await log.lastSeq(7)).toBe(0);
  });

  it('reads one partition back in order from a position, with its workspace, after a new connection', async () => {
    const names = freshStream();
    const writer = await open(names);
    for (let i = 0; i < 20; i += 1) {
      await writer.append(i % 2, [{ workspaceId: `w${i % 3}`, event: track(`m${i}`, `u${i}`, i) }]);
    }
    await writer.close();

    const reader = await open(names);
    const even = await reader.read({ partition: 0, afterSeq: 0, limit: 100 });
    expect(even.map((e) => e.messageId)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18].map((i) => `m${i}`));
    expect(even.map((e) => e.workspaceId)).toEqual(
      [0, 2, 4, 6, 8, 10, 12, 14, 16, 18].map((i) => `w${i % 3}`),
    );
    expect(even[3]).toMatchObject({
      type: 'track',
      userId: 'u6',
      event: 'Order Completed',
      properties: { n: 6 },
    });
    const seqs = even.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    const page = await reader.read({ partition: 0, afterSeq: seqs[4] ?? 0, limit: 3 });
    expect(page.map((e) => e.messageId)).toEqual(['m10', 'm12', 'm14']);
    expect(await reader.read({ partition: 0, afterSeq: seqs[9] ?? 0, limit: 10 })).toEqual([]);
    expect(await reader.read({ partition: 1, afterSeq: 0, limit: 100 })).toHaveLength(10);
    expect(await reader.lastSeq(0)).toBe(seqs[9]);
  });

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

  it('refuses a partition that is not a non-negative integer', async () => {
    const log = await open();
    await expect(log.append(-1, [])).rejects.toThrow(RangeError);
    await expect(log.read({ partition: 1.5, afterSeq: 0, limit: 1 })).rejects.toThrow(RangeError);
  });
});
