import { afterEach, describe, expect, it } from 'vitest';
import type { TailorEvent } from '../../../src/ingest/event.ts';
import type { PartitionLog } from '../../../src/store/ports/partition-log.ts';

/** How a suite gets logs: a fresh, empty one, and optionally the same log through a new connection. */
export interface PartitionLogFactory {
  open(): Promise<PartitionLog>;
  /** Opens `log`'s content again, as another process would; only shared logs give one. */
  reopen?: (log: PartitionLog) => Promise<PartitionLog>;
}

export function track(messageId: string, userId = 'u1', n = 0): TailorEvent {
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

/**
 * The partition log's contract: every adapter runs it (JetStream, in memory), each test on a
 * fresh, empty log. What only one adapter can show (NATS going away) is tested beside it.
 */
export function partitionLogContract(name: string, factory: PartitionLogFactory): void {
  describe(`partition log contract: ${name}`, () => {
    const opened: PartitionLog[] = [];
    const open = async () => {
      const log = await factory.open();
      opened.push(log);
      return log;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((log) => log.close()));
    });

    it('appends in order at growing positions per partition, and knows each partition’s last', async () => {
      const log = await open();
      const outcomes = await log.append(2, [
        { workspaceId: 'w1', event: track('m1') },
        { workspaceId: 'w1', event: track('m2') },
        { workspaceId: 'w2', event: track('m1') },
      ]);
      expect(outcomes.map((o) => o.kind)).toEqual(['appended', 'appended', 'appended']);
      const seqs = outcomes.map((o) => o.seq);
      expect(seqs[0]).toBeGreaterThan(0);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(3);
      expect(await log.lastSeq(2)).toBe(seqs[2]);
      expect(await log.lastSeq(5)).toBe(0);
      expect(await log.append(2, [])).toEqual([]);
    });

    it("answers an event it saw as a duplicate at the first copy's position, on any partition", async () => {
      const log = await open();
      const [first] = await log.append(0, [{ workspaceId: 'w1', event: track('m1') }]);
      expect(
        await log.append(0, [
          { workspaceId: 'w1', event: track('m1', 'u1', 99) },
          { workspaceId: 'w1', event: track('m2') },
        ]),
      ).toEqual([
        { kind: 'duplicate', seq: first?.seq },
        { kind: 'appended', seq: expect.any(Number) },
      ]);
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

    it('reads one partition back in order from a position, whole, with its workspace and a limit', async () => {
      const writer = await open();
      for (let i = 0; i < 20; i += 1) {
        await writer.append(i % 2, [{ workspaceId: `w${i % 3}`, event: track(`m${i}`, `u${i}`, i) }]);
      }
      const reader = factory.reopen === undefined ? writer : await factory.reopen(writer);
      if (reader !== writer) opened.push(reader);
      const evens = [0, 2, 4, 6, 8, 10, 12, 14, 16, 18];
      const even = await reader.read({ partition: 0, afterSeq: 0, limit: 100 });
      expect(even.map((e) => e.messageId)).toEqual(evens.map((i) => `m${i}`));
      expect(even.map((e) => e.workspaceId)).toEqual(evens.map((i) => `w${i % 3}`));
      expect(even[3]).toEqual({ ...track('m6', 'u6', 6), seq: even[3]?.seq, workspaceId: 'w0' });
      const seqs = even.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

      const page = await reader.read({ partition: 0, afterSeq: seqs[4] ?? 0, limit: 3 });
      expect(page.map((e) => e.messageId)).toEqual(['m10', 'm12', 'm14']);
      expect(await reader.read({ partition: 0, afterSeq: seqs[9] ?? 0, limit: 10 })).toEqual([]);
      expect(await reader.read({ partition: 0, afterSeq: 0, limit: 0 })).toEqual([]);
      expect(await reader.read({ partition: 1, afterSeq: 0, limit: 100 })).toHaveLength(10);
      expect(await reader.lastSeq(0)).toBe(seqs[9]);
    });

    it('refuses a partition that is not a non-negative integer', async () => {
      const log = await open();
      await expect(log.append(-1, [])).rejects.toThrow(RangeError);
      await expect(log.read({ partition: 1.5, afterSeq: 0, limit: 1 })).rejects.toThrow(RangeError);
      await expect(log.lastSeq(Number.NaN)).rejects.toThrow(RangeError);
    });
  });
}
