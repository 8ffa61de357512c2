import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/store.ts';
import { erasureStoreContract } from './erasure-store-contract.ts';
import { eventLogContract } from './event-log-contract.ts';
import { exposureLogContract } from './exposure-log-contract.ts';
import { keyStoreContract } from './key-store-contract.ts';
import { outboxContract } from './outbox-contract.ts';
import {
  append,
  commit,
  event,
  merge,
  type OpenStore,
  profile,
  send,
  T0,
  workspace,
} from './store-fixtures.ts';
import { viewStoreContract } from './view-store-contract.ts';
import { workspaceStoreContract } from './workspace-store-contract.ts';

/** Options of the contract suite. */
export interface StoreContractOptions {
  /** Closes a store and opens it again on the same data; only durable adapters give one. */
  reopen?: (store: Store) => Promise<Store>;
}

/**
 * The storage contract: every adapter runs it (`storeContract('sqlite', …)`). It is each port's
 * own suite (`*-contract.ts` beside this file), then what holds of the store as a whole: its
 * lifecycle, workspaces kept apart across every port, durability across a reopen. `open` must
 * give a fresh, empty store each time; the suites migrate and close it.
 */
export function storeContract(name: string, open: OpenStore, options: StoreContractOptions = {}): void {
  describe(`store contract: ${name}`, () => {
    eventLogContract(open);
    workspaceStoreContract(open);
    keyStoreContract(open);
    viewStoreContract(open);
    erasureStoreContract(open);
    outboxContract(open);
    exposureLogContract(open);

    describe('the store as a whole', () => {
      let store: Store;
      beforeEach(async () => {
        store = await open();
        await store.migrate();
      });
      afterEach(async () => {
        await store.close();
      });

      it('starts empty, and migrating again is harmless', async () => {
        await store.migrate();
        expect(await store.lastSeq()).toBe(0);
        expect(await store.viewCheckpoint()).toBe(0);
        expect(await store.readEvents({ afterSeq: 0, limit: 10 })).toEqual([]);
        expect(await store.listWorkspaces()).toEqual([]);
      });

      it('keeps workspaces apart: nothing of one is visible from another', async () => {
        const [seqA] = await append(store, 'a', ['m1']);
        const [seqB] = await append(store, 'b', ['m1']);
        const view = (ws: string, seq: number | undefined) =>
          commit({
            checkpoint: 2,
            profiles: [profile(ws, 'p'), profile(ws, 'q')],
            identifiers: [{ workspaceId: ws, key: 'email:p@example.com', profileId: 'p' }],
            merges: [merge(ws, 'q', 'p', seq ?? 0)],
            deletedProfiles: [{ workspaceId: ws, id: 'q' }],
            eventLinks: [{ workspaceId: ws, seq: seq ?? 0, profileId: 'p' }],
          });
        await store.commitView(view('a', seqA));
        const audit = { workspaceId: 'a', action: 'profile.erased', detail: { profileId: 'p' }, at: T0 };

        expect(await store.findProfileIds('b', ['email:p@example.com'])).toEqual(new Map());
        expect(await store.loadProfiles('b', ['p', 'q'])).toEqual([]);
        expect(await store.resolveProfileId('b', 'q')).toBeUndefined();
        expect(await store.countProfiles('b')).toBe(0);
        expect(await store.mergeHistory('b', 'p')).toEqual([]);
        expect((await store.timeline({ workspaceId: 'b', profileId: 'p', limit: 5 })).events).toEqual([]);
        expect(
          (await store.readEvents({ afterSeq: 0, limit: 5, workspaceId: 'b' })).map((e) => e.seq),
        ).toEqual([seqB]);

        await store.commitView(view('b', seqB));
        expect(await store.eraseProfiles('a', ['p'], audit)).toEqual({ events: 1 });
        expect(await store.auditLog('b', 5)).toEqual([]);
        expect((await store.loadProfiles('b', ['q'])).map((p) => p.workspaceId)).toEqual(['b']);
        expect(
          (await store.timeline({ workspaceId: 'b', profileId: 'p', limit: 5 })).events.map((e) => e.seq),
        ).toEqual([seqB]);
        expect(await store.mergeHistory('b', 'p')).toHaveLength(1);
        expect(await store.readEvents({ afterSeq: 0, limit: 5 })).toHaveLength(1);
      });

      const { reopen } = options;
      if (reopen !== undefined) {
        it('keeps everything acknowledged across a reopen', async () => {
          await store.saveWorkspace(workspace('a'));
          await store.addKey({ workspaceId: 'a', kind: 'write', hash: 'h1' });
          const [seq] = await append(store, 'a', ['e1', 'e2']);
          await store.commitView(
            commit({
              checkpoint: 2,
              profiles: [profile('a', 'p1')],
              identifiers: [{ workspaceId: 'a', key: 'email:p1@example.com', profileId: 'p1' }],
              merges: [merge('a', 'p0', 'p1', seq ?? 0)],
              eventLinks: [{ workspaceId: 'a', seq: seq ?? 0, profileId: 'p1' }],
            }),
          );
          store = await reopen(store);
          await store.migrate();
          expect(await store.lastSeq()).toBe((seq ?? 0) + 1);
          expect((await store.readEvents({ afterSeq: 0, limit: 5 })).map((e) => e.messageId)).toEqual([
            'e1',
            'e2',
          ]);
          expect(await store.viewCheckpoint()).toBe(2);
          expect((await store.getWorkspace('a'))?.version).toBe(1);
          expect(await store.findKey('h1')).toMatchObject({ workspaceId: 'a', kind: 'write' });
          expect(await store.loadProfiles('a', ['p0'])).toEqual([profile('a', 'p1')]);
          expect((await store.timeline({ workspaceId: 'a', profileId: 'p1', limit: 5 })).events).toHaveLength(
            1,
          );
          expect((await store.appendEvents([{ workspaceId: 'a', event: event('e1') }]))[0]?.kind).toBe(
            'duplicate',
          );
          await store.enqueueSends([send('a', 's1')]);
          store = await reopen(store);
          expect(await store.getSend('a', 's1')).toEqual(send('a', 's1'));
        });
      }
    });
  });
}
