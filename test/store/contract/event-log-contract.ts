import { describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/store.ts';
import { append, event, freshStoreEach, type OpenStore, T0 } from './store-fixtures.ts';

/**
 * The event log's contract: appends once per message id, in order, read back by position and by
 * id. Every adapter runs it (see `store-contract.ts`), on a fresh, empty store from `open` for
 * each test; a test may use the store's other ports to set up what it reads.
 */
export function eventLogContract(open: OpenStore): void {
  describe('event log', () => {
    let store: Store;
    freshStoreEach(open, (opened) => {
      store = opened;
    });

    it('appends in order and gives back each event whole, with its seq and workspace', async () => {
      const outcomes = await store.appendEvents([
        { workspaceId: 'a', event: event('m1', 1) },
        { workspaceId: 'b', event: event('m2', 2) },
        { workspaceId: 'a', event: event('m3', 3) },
      ]);
      const seqs = outcomes.map((o) => (o.kind === 'appended' ? o.seq : -1));
      expect(seqs[0]).toBeGreaterThan(0);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(3);
      expect(await store.lastSeq()).toBe(seqs[2]);
      expect(await store.readEvents({ afterSeq: 0, limit: 10 })).toEqual([
        { ...event('m1', 1), seq: seqs[0], workspaceId: 'a' },
        { ...event('m2', 2), seq: seqs[1], workspaceId: 'b' },
        { ...event('m3', 3), seq: seqs[2], workspaceId: 'a' },
      ]);
    });

    it('does not append a messageId twice in a workspace, across calls and within one call', async () => {
      await append(store, 'a', ['m1']);
      const outcomes = await store.appendEvents([
        { workspaceId: 'a', event: event('m1', 9) },
        { workspaceId: 'a', event: event('m2') },
        { workspaceId: 'a', event: event('m2', 9) },
        { workspaceId: 'b', event: event('m1') },
      ]);
      expect(outcomes.map((o) => o.kind)).toEqual(['duplicate', 'appended', 'duplicate', 'appended']);
      const logged = await store.readEvents({ afterSeq: 0, limit: 10 });
      expect(logged.map((e) => [e.workspaceId, e.messageId, e.timestamp])).toEqual([
        ['a', 'm1', T0],
        ['a', 'm2', T0],
        ['b', 'm1', T0],
      ]);
      expect(await store.appendEvents([])).toEqual([]);
    });

    it('reads the log in pages after a seq, optionally of one workspace', async () => {
      const a = await append(store, 'a', ['a1', 'a2', 'a3']);
      const b = await append(store, 'b', ['b1', 'b2']);
      const page = async (afterSeq: number, limit: number, workspaceId?: string) =>
        (await store.readEvents({ afterSeq, limit, ...(workspaceId ? { workspaceId } : {}) })).map(
          (e) => e.seq,
        );
      expect(await page(0, 2)).toEqual(a.slice(0, 2));
      expect(await page(a[1] ?? 0, 2)).toEqual([a[2], b[0]]);
      expect(await page(b[1] ?? 0, 2)).toEqual([]);
      expect(await page(0, 10, 'b')).toEqual(b);
      expect(await page(a[0] ?? 0, 1, 'a')).toEqual([a[1]]);
      expect(await page(0, 10, 'c')).toEqual([]);
    });

    it('reads logged events back by message id, of one workspace, in log order', async () => {
      const a = await append(store, 'a', ['r2', 'x', 'r1']);
      await append(store, 'b', ['r1']);
      const found = await store.readEventsById('a', ['r1', 'r2', 'missing']);
      expect(found.map((e) => [e.workspaceId, e.messageId, e.seq])).toEqual([
        ['a', 'r2', a[0]],
        ['a', 'r1', a[2]],
      ]);
      expect(await store.readEventsById('a', [])).toEqual([]);
      expect(await store.readEventsById('c', ['r1'])).toEqual([]);
    });
  });
}
