import { describe, expect, it } from 'vitest';
import type { ProfileState } from '../../../src/profile/profile.ts';
import type { Store } from '../../../src/store/store.ts';
import {
  append,
  commit,
  derived,
  event,
  freshStoreEach,
  merge,
  type OpenStore,
  profile,
  T0,
  withDue,
  workspace,
} from './store-fixtures.ts';

/**
 * The view store's contract: commits written whole up to a checkpoint; profiles, merges,
 * timelines, timers and segments read back. Every adapter runs it (see `store-contract.ts`), on a
 * fresh, empty store from `open` for each test; a test may use the store's other ports to set up
 * what it reads.
 */
export function viewStoreContract(open: OpenStore): void {
  describe('view', () => {
    let store: Store;
    freshStoreEach(open, (opened) => {
      store = opened;
    });

    it('writes profiles, identifiers and the checkpoint, which never goes back', async () => {
      await store.commitView(
        commit({
          checkpoint: 5,
          profiles: [profile('a', 'p1'), profile('a', 'p2')],
          identifiers: [
            { workspaceId: 'a', key: 'email:p1@example.com', profileId: 'p1' },
            { workspaceId: 'a', key: 'user_id:u2', profileId: 'p2' },
          ],
        }),
      );
      expect(await store.viewCheckpoint()).toBe(5);
      expect(await store.countProfiles('a')).toBe(2);
      const ids = await store.findProfileIds('a', ['email:p1@example.com', 'user_id:u2', 'user_id:nobody']);
      expect(Object.fromEntries(ids)).toEqual({ 'email:p1@example.com': 'p1', 'user_id:u2': 'p2' });
      expect(await store.findProfileIds('a', [])).toEqual(new Map());
      expect(await store.loadProfiles('a', ['p1', 'nobody'])).toEqual([profile('a', 'p1')]);
      expect(await store.loadProfiles('a', [])).toEqual([]);

      const changed = { ...profile('a', 'p1'), eventCount: 7 };
      await store.commitView(
        commit({
          checkpoint: 3,
          profiles: [changed],
          identifiers: [{ workspaceId: 'a', key: 'user_id:u2', profileId: 'p1' }],
        }),
      );
      expect(await store.viewCheckpoint()).toBe(5);
      expect(await store.loadProfiles('a', ['p1'])).toEqual([changed]);
      expect((await store.findProfileIds('a', ['user_id:u2'])).get('user_id:u2')).toBe('p1');
      await store.commitView(commit({ checkpoint: 9 }));
      expect(await store.viewCheckpoint()).toBe(9);
    });

    it('writes nothing of a commit that fails midway', async () => {
      await store.commitView(commit({ checkpoint: 1, profiles: [profile('a', 'p0')] }));
      // A cycle: no encoding of a profile can write it.
      const cycle: Record<string, unknown> = {};
      cycle['self'] = cycle;
      const unserializable = {
        ...profile('a', 'p2'),
        traits: { n: { value: cycle, at: T0 } },
      } as ProfileState;
      await expect(
        store.commitView(
          commit({
            checkpoint: 2,
            profiles: [profile('a', 'p1'), unserializable],
            identifiers: [{ workspaceId: 'a', key: 'user_id:u1', profileId: 'p1' }],
            deletedProfiles: [{ workspaceId: 'a', id: 'p0' }],
          }),
        ),
      ).rejects.toThrow();
      expect(await store.viewCheckpoint()).toBe(1);
      expect((await store.loadProfiles('a', ['p0', 'p1', 'p2'])).map((p) => p.id)).toEqual(['p0']);
      expect(await store.findProfileIds('a', ['user_id:u1'])).toEqual(new Map());
    });

    it('resolves merged ids to the survivor, through chains of merges', async () => {
      await store.commitView(
        commit({
          checkpoint: 1,
          profiles: [profile('a', 'pa'), profile('a', 'pb'), profile('a', 'pc')],
          identifiers: [
            { workspaceId: 'a', key: 'email:a@x.com', profileId: 'pa' },
            { workspaceId: 'a', key: 'email:b@x.com', profileId: 'pb' },
          ],
        }),
      );
      await store.commitView(
        commit({
          checkpoint: 2,
          merges: [merge('a', 'pa', 'pb', 2)],
          deletedProfiles: [{ workspaceId: 'a', id: 'pa' }],
        }),
      );
      expect(await store.resolveProfileId('a', 'pa')).toBe('pb');
      expect((await store.loadProfiles('a', ['pa'])).map((p) => p.id)).toEqual(['pb']);
      expect((await store.findProfileIds('a', ['email:a@x.com'])).get('email:a@x.com')).toBe('pb');

      await store.commitView(
        commit({
          checkpoint: 3,
          merges: [merge('a', 'pb', 'pc', 3)],
          deletedProfiles: [{ workspaceId: 'a', id: 'pb' }],
        }),
      );
      for (const id of ['pa', 'pb', 'pc']) expect(await store.resolveProfileId('a', id)).toBe('pc');
      expect((await store.loadProfiles('a', ['pa', 'pb', 'pc'])).map((p) => p.id)).toEqual(['pc']);
      const ids = await store.findProfileIds('a', ['email:a@x.com', 'email:b@x.com']);
      expect([...ids.values()]).toEqual(['pc', 'pc']);
      expect(await store.countProfiles('a')).toBe(1);
      expect(await store.resolveProfileId('a', 'nobody')).toBeUndefined();
    });

    it('applies a chain of merges written in one commit', async () => {
      await store.commitView(
        commit({
          checkpoint: 4,
          profiles: [profile('a', 'pc')],
          merges: [merge('a', 'pa', 'pb', 2), merge('a', 'pb', 'pc', 3)],
          deletedProfiles: [
            { workspaceId: 'a', id: 'pa' },
            { workspaceId: 'a', id: 'pb' },
          ],
        }),
      );
      expect(await store.resolveProfileId('a', 'pa')).toBe('pc');
      expect((await store.mergeHistory('a', 'pc')).map((m) => [m.fromId, m.intoId])).toEqual([
        ['pa', 'pb'],
        ['pb', 'pc'],
      ]);
    });

    it('gives the merge history of a profile, transitively and oldest first', async () => {
      await store.commitView(
        commit({
          checkpoint: 1,
          profiles: ['pa', 'pb', 'pc', 'pd', 'other'].map((id) => profile('a', id)),
        }),
      );
      await store.commitView(commit({ checkpoint: 2, merges: [merge('a', 'pa', 'pb', 10)] }));
      await store.commitView(commit({ checkpoint: 3, merges: [merge('a', 'pd', 'other', 11)] }));
      await store.commitView(
        commit({ checkpoint: 4, merges: [merge('a', 'pc', 'pb', 12), merge('a', 'pb', 'pe', 13)] }),
      );
      expect(await store.mergeHistory('a', 'pe')).toEqual([
        merge('a', 'pa', 'pb', 10),
        merge('a', 'pc', 'pb', 12),
        merge('a', 'pb', 'pe', 13),
      ]);
      expect(await store.mergeHistory('a', 'other')).toEqual([merge('a', 'pd', 'other', 11)]);
      expect(await store.mergeHistory('a', 'nobody')).toEqual([]);
    });

    it('pages a timeline newest first, including events of merged profiles', async () => {
      const seqs = await append(store, 'a', ['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
      const [s1, s2, s3, s4, s5, s6] = seqs.map((s) => s);
      const link = (seq: number | undefined, profileId: string) => ({
        workspaceId: 'a',
        seq: seq ?? 0,
        profileId,
      });
      await store.commitView(
        commit({
          checkpoint: s6 ?? 0,
          profiles: [profile('a', 'p1'), profile('a', 'p2')],
          eventLinks: [
            link(s1, 'p1'),
            link(s2, 'p2'),
            link(s3, 'p1'),
            link(s4, 'p1'),
            link(s5, 'p1'),
            link(s6, 'p2'),
          ],
        }),
      );
      const first = await store.timeline({ workspaceId: 'a', profileId: 'p1', limit: 2 });
      expect(first.events.map((e) => e.seq)).toEqual([s5, s4]);
      expect(first.nextBefore).toBe(s4);
      expect(first.events[0]).toEqual({ ...event('e5', 4), seq: s5, workspaceId: 'a' });
      const second = await store.timeline({
        workspaceId: 'a',
        profileId: 'p1',
        limit: 2,
        before: first.nextBefore,
      });
      expect(second.events.map((e) => e.seq)).toEqual([s3, s1]);
      expect(second.nextBefore).toBeUndefined();
      const whole = await store.timeline({ workspaceId: 'a', profileId: 'p1', limit: 4 });
      expect(whole.events).toHaveLength(4);
      expect(whole.nextBefore).toBeUndefined();

      await store.commitView(commit({ checkpoint: 7, merges: [merge('a', 'p2', 'p1', s6 ?? 0)] }));
      const merged = await store.timeline({ workspaceId: 'a', profileId: 'p1', limit: 10 });
      expect(merged.events.map((e) => e.seq)).toEqual([s6, s5, s4, s3, s2, s1]);
      expect(await store.timeline({ workspaceId: 'a', profileId: 'nobody', limit: 10 })).toEqual({
        events: [],
      });
    });

    it('replaces a rebuilt workspace view whole, in the commit that records its version', async () => {
      await store.saveWorkspace(workspace('a'));
      await store.saveWorkspace(workspace('b'));
      const [seq] = await append(store, 'a', ['e1']);
      const old = (ws: string) =>
        commit({
          checkpoint: 1,
          profiles: [profile(ws, 'old'), profile(ws, 'gone')],
          identifiers: [{ workspaceId: ws, key: 'email:old@x.com', profileId: 'old' }],
          merges: [merge(ws, 'gone', 'old', 1)],
          deletedProfiles: [{ workspaceId: ws, id: 'gone' }],
          eventLinks: [{ workspaceId: ws, seq: seq ?? 0, profileId: 'old' }],
        });
      await store.commitView(old('a'));
      await store.commitView(old('b'));
      await store.commitView(
        commit({
          checkpoint: 2,
          rebuilt: [{ workspaceId: 'a', version: 1 }],
          profiles: [profile('a', 'new')],
          identifiers: [{ workspaceId: 'a', key: 'email:new@x.com', profileId: 'new' }],
        }),
      );
      expect((await store.getWorkspace('a'))?.viewVersion).toBe(1);
      expect((await store.getWorkspace('b'))?.viewVersion).toBe(0);
      expect(await store.countProfiles('a')).toBe(1);
      expect(await store.resolveProfileId('a', 'gone')).toBeUndefined();
      expect(
        Object.fromEntries(await store.findProfileIds('a', ['email:old@x.com', 'email:new@x.com'])),
      ).toEqual({
        'email:new@x.com': 'new',
      });
      expect(await store.mergeHistory('a', 'old')).toEqual([]);
      expect((await store.timeline({ workspaceId: 'a', profileId: 'old', limit: 5 })).events).toEqual([]);
      expect(await store.readEvents({ afterSeq: 0, limit: 5 })).toHaveLength(1);
      expect(await store.countProfiles('b')).toBe(1);
      expect(await store.resolveProfileId('b', 'gone')).toBe('old');
    });

    it('indexes each profile by its next timer moment, following every rewrite', async () => {
      await store.commitView(
        commit({
          checkpoint: 1,
          profiles: [
            withDue('a', 'p3', T0 + 20),
            withDue('a', 'p1', T0 + 30),
            withDue('a', 'p2', T0 + 20),
            withDue('a', 'p4', undefined),
            profile('a', 'p5'),
            withDue('a', 'p6', T0 + 99),
            withDue('b', 'p0', T0),
          ],
        }),
      );
      expect(
        (await store.dueProfiles({ workspaceId: 'a', at: T0 + 30, limit: 10 })).map((row) => row.id),
      ).toEqual(['p2', 'p3', 'p1']);
      expect(
        (await store.dueProfiles({ workspaceId: 'a', at: T0 + 30, limit: 2 })).map((row) => row.id),
      ).toEqual(['p2', 'p3']);
      expect(
        (await store.dueProfiles({ workspaceId: 'a', at: T0 + 29, limit: 10 })).map((row) => row.id),
      ).toEqual(['p2', 'p3']);
      expect(
        (await store.dueProfiles({ workspaceId: 'a', at: T0 + 19, limit: 10 })).map((row) => row.id),
      ).toEqual([]);
      expect(
        (await store.dueProfiles({ workspaceId: 'b', at: T0 + 1_000, limit: 10 })).map((row) => row.id),
      ).toEqual(['p0']);
      const first = await store.dueProfiles({ workspaceId: 'a', at: T0 + 30, limit: 2 });
      expect(first).toEqual([
        { id: 'p2', due: T0 + 20 },
        { id: 'p3', due: T0 + 20 },
      ]);
      expect(await store.dueProfiles({ workspaceId: 'a', at: T0 + 30, after: first[1], limit: 2 })).toEqual([
        { id: 'p1', due: T0 + 30 },
      ]);

      await store.commitView(
        commit({
          checkpoint: 2,
          profiles: [withDue('a', 'p2', undefined), profile('a', 'p3'), withDue('a', 'p4', T0 + 10.5)],
        }),
      );
      expect(
        (await store.dueProfiles({ workspaceId: 'a', at: T0 + 30, limit: 10 })).map((row) => row.id),
      ).toEqual(['p4', 'p1']);
      expect(
        (await store.dueProfiles({ workspaceId: 'a', at: T0 + 10, limit: 10 })).map((row) => row.id),
      ).toEqual([]);
      await store.commitView(
        commit({
          checkpoint: 3,
          merges: [merge('a', 'p1', 'p6', 3)],
          deletedProfiles: [{ workspaceId: 'a', id: 'p1' }],
        }),
      );
      expect(
        (await store.dueProfiles({ workspaceId: 'a', at: T0 + 1_000, limit: 10 })).map((row) => row.id),
      ).toEqual(['p4', 'p6']);
      expect((await store.loadProfiles('a', ['p6']))[0]?.audience?.due).toBe(T0 + 99);
    });

    it('walks every profile of a workspace in id order, a page at a time', async () => {
      const ids = ['p1', 'p2', 'p3', 'p4', 'p5'];
      await store.commitView(
        commit({ checkpoint: 1, profiles: [...ids.toReversed(), 'p0'].map((id) => profile('a', id)) }),
      );
      await store.commitView(commit({ checkpoint: 2, profiles: [profile('b', 'p2b')] }));
      await store.commitView(commit({ checkpoint: 3, deletedProfiles: [{ workspaceId: 'a', id: 'p0' }] }));
      const scan = async (after: string | undefined, limit: number) =>
        (await store.scanProfiles({ workspaceId: 'a', limit, ...(after ? { after } : {}) })).map((p) => p.id);
      expect(await scan(undefined, 2)).toEqual(['p1', 'p2']);
      expect(await scan('p2', 2)).toEqual(['p3', 'p4']);
      expect(await scan('p4', 2)).toEqual(['p5']);
      expect(await scan('p5', 2)).toEqual([]);
      expect(await scan(undefined, 10)).toEqual(ids);
      expect(await store.scanProfiles({ workspaceId: 'a', limit: 1 })).toEqual([profile('a', 'p1')]);
      expect(await store.scanProfiles({ workspaceId: 'c', limit: 10 })).toEqual([]);
    });

    it('puts derived events on the timeline right after their cause, also across a merge', async () => {
      const [s1, s2, s3, s4] = (await append(store, 'a', ['e1', 'e2', 'e3', 'e4'])).map((s) => s ?? 0);
      const timer = (s4 ?? 0) + 10;
      const link = (seq: number | undefined, profileId: string) => ({
        workspaceId: 'a',
        seq: seq ?? 0,
        profileId,
      });
      await store.commitView(
        commit({
          checkpoint: s4 ?? 0,
          profiles: [profile('a', 'p1'), profile('a', 'p2')],
          eventLinks: [link(s1, 'p1'), link(s2, 'p1'), link(s3, 'p2'), link(s4, 'p1')],
          derivedEvents: [
            derived('a', 'p1', s2 ?? 0, 1, 'big'),
            derived('a', 'p1', s2 ?? 0, 0),
            derived('a', 'p2', s3 ?? 0, 0),
            derived('a', 'p1', timer, 0, 'lapsed'),
            derived('b', 'p1', s2 ?? 0, 0),
          ],
        }),
      );
      const ids = async (profileId: string) =>
        (await store.timeline({ workspaceId: 'a', profileId, limit: 20 })).events.map((e) => e.messageId);
      expect(await ids('p1')).toEqual([
        `derived:p1:${timer}:0`,
        'e4',
        `derived:p1:${s2}:1`,
        `derived:p1:${s2}:0`,
        'e2',
        'e1',
      ]);
      const page = await store.timeline({ workspaceId: 'a', profileId: 'p1', limit: 20 });
      expect(page.events[2]).toEqual(derived('a', 'p1', s2 ?? 0, 1, 'big').event);
      expect(page.nextBefore).toBeUndefined();

      // Committing a derived event again replaces it: replay after a crash writes it twice.
      await store.commitView(
        commit({ checkpoint: s4 ?? 0, derivedEvents: [derived('a', 'p1', s2 ?? 0, 1, 'bigger')] }),
      );
      const again = await store.timeline({ workspaceId: 'a', profileId: 'p1', limit: 20 });
      expect(again.events).toHaveLength(6);
      expect(again.events[2]?.properties).toEqual({ segment: 'bigger' });

      await store.commitView(
        commit({
          checkpoint: s4 ?? 0,
          merges: [merge('a', 'p2', 'p1', s4 ?? 0)],
          deletedProfiles: [{ workspaceId: 'a', id: 'p2' }],
        }),
      );
      expect(await ids('p1')).toEqual([
        `derived:p1:${timer}:0`,
        'e4',
        `derived:p2:${s3}:0`,
        'e3',
        `derived:p1:${s2}:1`,
        `derived:p1:${s2}:0`,
        'e2',
        'e1',
      ]);
      const other = await store.timeline({ workspaceId: 'b', profileId: 'p1', limit: 20 });
      expect(other.events.map((e) => [e.workspaceId, e.seq])).toEqual([['b', s2]]);
    });

    it('never splits the events of one seq across timeline pages', async () => {
      const [s1, s2, s3] = (await append(store, 'a', ['e1', 'e2', 'e3'])).map((s) => s ?? 0);
      await store.commitView(
        commit({
          checkpoint: s3 ?? 0,
          profiles: [profile('a', 'p1')],
          eventLinks: [s1, s2, s3].map((seq) => ({ workspaceId: 'a', seq: seq ?? 0, profileId: 'p1' })),
          derivedEvents: [
            derived('a', 'p1', s1 ?? 0, 0),
            derived('a', 'p1', s2 ?? 0, 0),
            derived('a', 'p1', s2 ?? 0, 1),
          ],
        }),
      );
      const whole = ['e3', `derived:p1:${s2}:1`, `derived:p1:${s2}:0`, 'e2', `derived:p1:${s1}:0`, 'e1'];
      const first = await store.timeline({ workspaceId: 'a', profileId: 'p1', limit: 2 });
      expect(first.events.map((e) => e.messageId)).toEqual(whole.slice(0, 4));
      expect(first.nextBefore).toBe(s2);
      const second = await store.timeline({ workspaceId: 'a', profileId: 'p1', limit: 2, before: s2 });
      expect(second.events.map((e) => e.messageId)).toEqual(whole.slice(4));
      expect(second.nextBefore).toBeUndefined();

      for (let limit = 1; limit <= whole.length + 1; limit += 1) {
        const seen: string[] = [];
        let before: number | undefined;
        for (let pages = 0; pages < 10; pages += 1) {
          const page = await store.timeline({
            workspaceId: 'a',
            profileId: 'p1',
            limit,
            ...(before === undefined ? {} : { before }),
          });
          seen.push(...page.events.map((e) => e.messageId));
          before = page.nextBefore;
          if (before === undefined) break;
        }
        expect(seen).toEqual(whole);
      }
    });

    it('replaces memberships per profile and pages segment members by profile id', async () => {
      const member = (profileId: string, segments: [string, number][]) => ({
        workspaceId: 'a',
        profileId,
        segments: segments.map(([key, at]) => ({ key, enteredAt: T0 + at })),
      });
      await store.commitView(
        commit({
          checkpoint: 1,
          profiles: ['p1', 'p2', 'p3'].map((id) => profile('a', id)),
          memberships: [
            member('p3', [['vip', 3]]),
            member('p1', [
              ['vip', 1],
              ['new', 1],
            ]),
            member('p2', [['vip', 2]]),
            { workspaceId: 'b', profileId: 'p9', segments: [{ key: 'vip', enteredAt: T0 }] },
          ],
        }),
      );
      const members = async (segment: string, limit: number, after?: string) =>
        store.segmentMembers({ workspaceId: 'a', segment, limit, ...(after ? { after } : {}) });
      expect(await members('vip', 2)).toEqual({
        members: [
          { profileId: 'p1', enteredAt: T0 + 1 },
          { profileId: 'p2', enteredAt: T0 + 2 },
        ],
        nextAfter: 'p2',
      });
      expect(await members('vip', 2, 'p2')).toEqual({ members: [{ profileId: 'p3', enteredAt: T0 + 3 }] });
      expect(await members('vip', 3)).toEqual({
        members: [
          { profileId: 'p1', enteredAt: T0 + 1 },
          { profileId: 'p2', enteredAt: T0 + 2 },
          { profileId: 'p3', enteredAt: T0 + 3 },
        ],
      });
      expect(await store.segmentSize('a', 'vip')).toBe(3);
      expect(await store.segmentSize('a', 'new')).toBe(1);
      expect(await store.segmentSize('b', 'vip')).toBe(1);
      expect(await store.segmentSize('a', 'none')).toBe(0);
      expect(await members('none', 5)).toEqual({ members: [] });

      await store.commitView(
        commit({
          checkpoint: 2,
          memberships: [member('p1', [['new', 5]]), member('p3', [])],
        }),
      );
      expect((await members('vip', 10)).members).toEqual([{ profileId: 'p2', enteredAt: T0 + 2 }]);
      expect((await members('new', 10)).members).toEqual([{ profileId: 'p1', enteredAt: T0 + 5 }]);

      await store.commitView(
        commit({
          checkpoint: 3,
          merges: [merge('a', 'p2', 'p1', 3)],
          deletedProfiles: [{ workspaceId: 'a', id: 'p2' }],
        }),
      );
      expect(await store.segmentSize('a', 'vip')).toBe(0);
      expect(await store.segmentSize('a', 'new')).toBe(1);
    });

    it('clears derived events and memberships of a rebuilt workspace only', async () => {
      await store.saveWorkspace(workspace('a'));
      const [seq] = await append(store, 'a', ['e1']);
      const view = (ws: string) =>
        commit({
          checkpoint: 1,
          profiles: [withDue(ws, 'p1', T0)],
          eventLinks: ws === 'a' ? [{ workspaceId: ws, seq: seq ?? 0, profileId: 'p1' }] : [],
          derivedEvents: [derived(ws, 'p1', seq ?? 0, 0)],
          memberships: [{ workspaceId: ws, profileId: 'p1', segments: [{ key: 'vip', enteredAt: T0 }] }],
        });
      await store.commitView(view('a'));
      await store.commitView(view('b'));
      await store.commitView(commit({ checkpoint: 2, rebuilt: [{ workspaceId: 'a', version: 1 }] }));
      expect((await store.timeline({ workspaceId: 'a', profileId: 'p1', limit: 10 })).events).toEqual([]);
      expect(await store.segmentSize('a', 'vip')).toBe(0);
      expect((await store.dueProfiles({ workspaceId: 'a', at: T0, limit: 10 })).map((row) => row.id)).toEqual(
        [],
      );
      expect((await store.timeline({ workspaceId: 'b', profileId: 'p1', limit: 10 })).events).toHaveLength(1);
      expect(await store.segmentSize('b', 'vip')).toBe(1);
      expect((await store.dueProfiles({ workspaceId: 'b', at: T0, limit: 10 })).map((row) => row.id)).toEqual(
        ['p1'],
      );
    });

    it('counts segment entries and exits by hour, adds them up, and clears them with a rebuilt workspace', async () => {
      const hour = (n: number) => T0 + n * 3_600_000;
      const row = (ws: string, segment: string, h: number, entries: number, exits: number) => ({
        workspaceId: ws,
        segment,
        hour: hour(h),
        entries,
        exits,
      });
      await store.commitView(
        commit({
          checkpoint: 1,
          segmentHours: [
            row('a', 'vip', 0, 3, 1),
            row('a', 'vip', 2, 1, 0),
            row('a', 'new', 0, 5, 0),
            row('b', 'vip', 0, 9, 9),
          ],
        }),
      );
      await store.commitView(commit({ checkpoint: 2, segmentHours: [row('a', 'vip', 2, 2, 4)] }));
      expect(await store.segmentHours({ workspaceId: 'a', segment: 'vip', from: hour(0) })).toEqual([
        row('a', 'vip', 0, 3, 1),
        row('a', 'vip', 2, 3, 4),
      ]);
      expect(await store.segmentHours({ workspaceId: 'a', segment: 'vip', from: hour(1) })).toEqual([
        row('a', 'vip', 2, 3, 4),
      ]);
      expect(await store.segmentHours({ workspaceId: 'a', segment: 'none', from: 0 })).toEqual([]);
      await store.commitView(commit({ checkpoint: 3, rebuilt: [{ workspaceId: 'a', version: 1 }] }));
      expect(await store.segmentHours({ workspaceId: 'a', segment: 'vip', from: 0 })).toEqual([]);
      expect(await store.segmentHours({ workspaceId: 'b', segment: 'vip', from: 0 })).toEqual([
        row('b', 'vip', 0, 9, 9),
      ]);
    });

    it("keeps each workspace's learning state with a commit, replaces it, and clears it with a rebuilt workspace", async () => {
      expect(await store.learningStates()).toEqual([]);
      const state = (n: number) => JSON.stringify({ version: 1, n, text: 'é \u2028 "quoted"' });
      await store.commitView(
        commit({
          checkpoint: 4,
          learning: [
            { workspaceId: 'b', seq: 4, state: state(1) },
            { workspaceId: 'a', seq: 4, state: state(2) },
          ],
        }),
      );
      // A commit without one leaves the kept states as they are.
      await store.commitView(commit({ checkpoint: 6 }));
      await store.commitView(
        commit({ checkpoint: 9, learning: [{ workspaceId: 'a', seq: 9, state: state(3) }] }),
      );
      expect(await store.learningStates()).toEqual([
        { workspaceId: 'a', seq: 9, state: state(3) },
        { workspaceId: 'b', seq: 4, state: state(1) },
      ]);
      // A rebuilt workspace's state is cleared before the commit's own is written.
      await store.commitView(commit({ checkpoint: 10, rebuilt: [{ workspaceId: 'b', version: 2 }] }));
      await store.commitView(
        commit({
          checkpoint: 11,
          rebuilt: [{ workspaceId: 'a', version: 2 }],
          learning: [{ workspaceId: 'a', seq: 11, state: state(4) }],
        }),
      );
      expect(await store.learningStates()).toEqual([{ workspaceId: 'a', seq: 11, state: state(4) }]);
      // A commit that fails writes no state either.
      const cycle: Record<string, unknown> = {};
      cycle['self'] = cycle;
      const unserializable = {
        ...profile('a', 'p2'),
        traits: { n: { value: cycle, at: T0 } },
      } as ProfileState;
      await expect(
        store.commitView(
          commit({
            checkpoint: 12,
            profiles: [unserializable],
            learning: [{ workspaceId: 'a', seq: 12, state: state(5) }],
          }),
        ),
      ).rejects.toThrow();
      expect(await store.learningStates()).toEqual([{ workspaceId: 'a', seq: 11, state: state(4) }]);
    });

    it("reads a segment's latest entries and exits from the derived events, newest first", async () => {
      const exited = (row: ReturnType<typeof derived>) => ({
        ...row,
        event: { ...row.event, event: 'Segment Exited' },
      });
      const stage = derived('a', 'p3', 4, 0);
      await store.commitView(
        commit({
          checkpoint: 4,
          derivedEvents: [
            derived('a', 'p1', 1, 0),
            derived('a', 'p2', 2, 0),
            derived('a', 'p2', 2, 1, 'new'),
            exited(derived('a', 'p1', 3, 0)),
            {
              ...stage,
              event: { ...stage.event, event: 'Lifecycle Stage Changed', properties: { segment: 'vip' } },
            },
            derived('b', 'p9', 4, 0),
          ],
        }),
      );
      const moves = await store.segmentMoves({ workspaceId: 'a', segment: 'vip', limit: 10 });
      expect(moves.map((move) => [move.profileId, move.event.event, move.event.seq])).toEqual([
        ['p1', 'Segment Exited', 3],
        ['p2', 'Segment Entered', 2],
        ['p1', 'Segment Entered', 1],
      ]);
      expect(moves[0]?.event.messageId).toBe('derived:p1:3:0');
      expect(await store.segmentMoves({ workspaceId: 'a', segment: 'vip', limit: 2 })).toHaveLength(2);
      expect(await store.segmentMoves({ workspaceId: 'a', segment: 'gone', limit: 2 })).toEqual([]);
    });
  });
}
