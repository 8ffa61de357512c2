import { describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/store.ts';
import {
  append,
  commit,
  derived,
  freshStoreEach,
  merge,
  type OpenStore,
  profile,
  send,
  T0,
} from './store-fixtures.ts';

/**
 * The erasure store's contract: a profile and everything of it gone, audited without its data.
 * Every adapter runs it (see `store-contract.ts`), on a fresh, empty store from `open` for each
 * test; a test may use the store's other ports to set up what it reads.
 */
export function erasureStoreContract(open: OpenStore): void {
  describe('erasure', () => {
    let store: Store;
    freshStoreEach(open, (opened) => {
      store = opened;
    });

    it('erases the derived events and memberships of a profile and of those merged into it', async () => {
      const [s1, s2] = (await append(store, 'a', ['e1', 'e2'])).map((s) => s ?? 0);
      const vip = (profileId: string) => ({
        workspaceId: 'a',
        profileId,
        segments: [{ key: 'vip', enteredAt: T0 }],
      });
      await store.commitView(
        commit({
          checkpoint: s2 ?? 0,
          profiles: [profile('a', 'p1'), profile('a', 'keep')],
          eventLinks: [
            { workspaceId: 'a', seq: s1 ?? 0, profileId: 'p1' },
            { workspaceId: 'a', seq: s2 ?? 0, profileId: 'keep' },
          ],
          derivedEvents: [
            derived('a', 'p1', s1 ?? 0, 0),
            derived('a', 'p0', s1 ?? 0, 0),
            derived('a', 'keep', s2 ?? 0, 0),
          ],
          memberships: [vip('p1'), vip('p0'), vip('keep')],
          merges: [merge('a', 'p0', 'p1', s1 ?? 0)],
          deletedProfiles: [{ workspaceId: 'a', id: 'p0' }],
        }),
      );
      expect(await store.segmentSize('a', 'vip')).toBe(2);
      const audit = { workspaceId: 'a', action: 'profile.erased', detail: { profileId: 'p1' }, at: T0 };
      expect(await store.eraseProfiles('a', ['p1'], audit)).toEqual({ events: 1 });
      expect((await store.timeline({ workspaceId: 'a', profileId: 'p1', limit: 10 })).events).toEqual([]);
      expect((await store.timeline({ workspaceId: 'a', profileId: 'p0', limit: 10 })).events).toEqual([]);
      expect(
        (await store.timeline({ workspaceId: 'a', profileId: 'keep', limit: 10 })).events.map(
          (e) => e.messageId,
        ),
      ).toEqual([`derived:keep:${s2}:0`, 'e2']);
      expect((await store.segmentMembers({ workspaceId: 'a', segment: 'vip', limit: 10 })).members).toEqual([
        { profileId: 'keep', enteredAt: T0 },
      ]);
      // The erased member counts as an exit in the hour of the erasure; its entry is gone from the latest moves.
      const hour = Math.floor(T0 / 3_600_000) * 3_600_000;
      expect(await store.segmentHours({ workspaceId: 'a', segment: 'vip', from: 0 })).toEqual([
        { workspaceId: 'a', segment: 'vip', hour, entries: 0, exits: 1 },
      ]);
      const moves = await store.segmentMoves({ workspaceId: 'a', segment: 'vip', limit: 10 });
      expect(moves.map((move) => move.profileId)).toEqual(['keep']);
    });

    it('removes a profile, the profiles merged into it, their events and identifiers, and audits it', async () => {
      const seqs = await append(store, 'a', ['e1', 'e2', 'e3', 'e4']);
      const [s1, s2, s3, s4] = seqs.map((s) => s ?? 0);
      await store.commitView(
        commit({
          checkpoint: s4 ?? 0,
          profiles: [
            profile('a', 'p1', 'ana@x.com'),
            profile('a', 'p2', 'ana.b@x.com'),
            profile('a', 'keep'),
          ],
          identifiers: [
            { workspaceId: 'a', key: 'email:ana@x.com', profileId: 'p1' },
            { workspaceId: 'a', key: 'email:ana.b@x.com', profileId: 'p2' },
            { workspaceId: 'a', key: 'email:keep@x.com', profileId: 'keep' },
          ],
          eventLinks: [
            { workspaceId: 'a', seq: s1 ?? 0, profileId: 'p1' },
            { workspaceId: 'a', seq: s2 ?? 0, profileId: 'p2' },
            { workspaceId: 'a', seq: s3 ?? 0, profileId: 'keep' },
          ],
        }),
      );
      await store.commitView(
        commit({
          checkpoint: s4 ?? 0,
          merges: [merge('a', 'p2', 'p1', s2 ?? 0)],
          deletedProfiles: [{ workspaceId: 'a', id: 'p2' }],
        }),
      );
      const audit = {
        workspaceId: 'a',
        action: 'profile.erased',
        detail: { profileId: 'p1', mergedIds: 1 },
        at: T0,
      };

      expect(await store.eraseProfiles('a', ['p1'], audit)).toEqual({ events: 2 });

      expect((await store.readEvents({ afterSeq: 0, limit: 10 })).map((e) => e.seq)).toEqual([s3, s4]);
      expect(await store.loadProfiles('a', ['p1', 'p2'])).toEqual([]);
      expect(await store.resolveProfileId('a', 'p1')).toBeUndefined();
      expect(await store.resolveProfileId('a', 'p2')).toBeUndefined();
      const keys = ['email:ana@x.com', 'email:ana.b@x.com', 'email:keep@x.com'];
      expect(Object.fromEntries(await store.findProfileIds('a', keys))).toEqual({
        'email:keep@x.com': 'keep',
      });
      expect(await store.mergeHistory('a', 'p1')).toEqual([]);
      expect((await store.timeline({ workspaceId: 'a', profileId: 'p1', limit: 10 })).events).toEqual([]);
      expect((await store.timeline({ workspaceId: 'a', profileId: 'keep', limit: 10 })).events).toHaveLength(
        1,
      );
      expect(await store.countProfiles('a')).toBe(1);

      const log = await store.auditLog('a', 10);
      expect(log).toEqual([audit]);
      expect(JSON.stringify(log)).not.toMatch(/ana|u-e1|203\.0\.113/);
      expect(await store.eraseProfiles('a', ['nobody'], { ...audit, at: T0 + 1 })).toEqual({ events: 0 });
      expect((await store.auditLog('a', 10)).map((e) => e.at)).toEqual([T0 + 1, T0]);
      expect(await store.auditLog('a', 1)).toHaveLength(1);
    });

    it('erases several profiles in one call and nothing else', async () => {
      const [s1, s2, s3] = (await append(store, 'a', ['e1', 'e2', 'e3'])).map((s) => s ?? 0);
      await store.commitView(
        commit({
          checkpoint: s3 ?? 0,
          profiles: [
            profile('a', 'p1', 'ana@x.com'),
            profile('a', 'p2', 'ana.b@x.com'),
            profile('a', 'keep'),
          ],
          identifiers: [
            { workspaceId: 'a', key: 'email:ana@x.com', profileId: 'p1' },
            { workspaceId: 'a', key: 'email:ana.b@x.com', profileId: 'p2' },
            { workspaceId: 'a', key: 'email:keep@x.com', profileId: 'keep' },
          ],
          eventLinks: [
            { workspaceId: 'a', seq: s1 ?? 0, profileId: 'p1' },
            { workspaceId: 'a', seq: s2 ?? 0, profileId: 'p2' },
            { workspaceId: 'a', seq: s3 ?? 0, profileId: 'keep' },
          ],
        }),
      );
      const audit = { workspaceId: 'a', action: 'profile.erased', detail: { profileId: 'p1' }, at: T0 };

      expect(await store.eraseProfiles('a', ['p1', 'p2'], audit)).toEqual({ events: 2 });

      expect((await store.readEvents({ afterSeq: 0, limit: 10 })).map((e) => e.seq)).toEqual([s3]);
      expect(await store.loadProfiles('a', ['p1', 'p2', 'keep'])).toHaveLength(1);
      expect(await store.auditLog('a', 10)).toEqual([audit]);
    });

    it('erases the sends of an erased profile and of those merged into it, and nothing else', async () => {
      await store.commitView(
        commit({
          checkpoint: 1,
          profiles: [profile('a', 'p1'), profile('a', 'keep')],
          merges: [merge('a', 'p0', 'p1', 1)],
        }),
      );
      await store.enqueueSends([
        send('a', 's1', 1, 'p1'),
        send('a', 's0', 2, 'p0'),
        send('a', 'k', 3, 'keep'),
        send('b', 's1', 1, 'p1'),
      ]);
      const audit = { workspaceId: 'a', action: 'profile.erased', detail: { profileId: 'p1' }, at: T0 };
      await store.eraseProfiles('a', ['p1'], audit);
      expect(await store.getSend('a', 's1')).toBeUndefined();
      expect(await store.getSend('a', 's0')).toBeUndefined();
      expect((await store.listSends({ workspaceId: 'a', limit: 10 })).map((row) => row.id)).toEqual(['k']);
      expect(await store.getSend('b', 's1')).toEqual(send('b', 's1', 1, 'p1'));
    });
  });
}
