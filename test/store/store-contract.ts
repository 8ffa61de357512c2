import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SendRecord } from '../../src/activate/send-record.ts';
import { DEFAULT_IDENTITY_RULES } from '../../src/identity/identity-rules.ts';
import type { LoggedEvent, TailorEvent } from '../../src/ingest/event.ts';
import type { ProfileState } from '../../src/profile/profile.ts';
import type { DerivedEventRow, MergeRecord, ViewCommit } from '../../src/store/ports/view-store.ts';
import type { Store } from '../../src/store/store.ts';
import type { WorkspaceDefinition } from '../../src/workspace/workspace.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');

/** A track event with a fixed shape; `n` varies its time and properties. */
function event(messageId: string, n = 0): TailorEvent {
  return {
    type: 'track',
    event: 'Order Completed',
    messageId,
    timestamp: T0 + n * 1_000,
    receivedAt: T0 + n * 1_000 + 5,
    userId: `u-${messageId}`,
    properties: { revenue: n, nested: { list: [1, 'two', null] } },
    traits: {},
    context: { ip: '203.0.113.7' },
    integrations: {},
  };
}

/** A small profile state, as the profile stage would store it. */
function profile(workspaceId: string, id: string, email = `${id}@example.com`): ProfileState {
  return {
    id,
    workspaceId,
    identifiers: { email: [email] },
    traits: { plan: { value: 'pro', at: T0 } },
    computed: {},
    consent: { email: { granted: true, at: T0, source: 'context.consent' } },
    firstSeen: T0,
    lastSeen: T0 + 1_000,
    recent: [{ messageId: `m-${id}`, type: 'track', name: 'Order Completed', timestamp: T0 }],
    mergedIds: [],
    eventCount: 1,
  };
}

/** `profile` with its next timer moment set to `due` (or none). */
function withDue(workspaceId: string, id: string, due: number | undefined): ProfileState {
  const audience = { segments: {}, risks: {}, stage: null, pending: {}, at: T0 };
  return { ...profile(workspaceId, id), audience: due === undefined ? audience : { ...audience, due } };
}

/** An event derived for `profileId` from the event (or timer record) at `seq`, `ord`-th of that cause. */
function derived(
  workspaceId: string,
  profileId: string,
  seq: number,
  ord: number,
  key = 'vip',
): DerivedEventRow {
  const loggedEvent: LoggedEvent = {
    type: 'track',
    event: 'Segment Entered',
    messageId: `derived:${profileId}:${seq}:${ord}`,
    timestamp: T0 + seq,
    receivedAt: T0 + seq,
    userId: `u-${profileId}`,
    properties: { segment: key },
    traits: {},
    context: {},
    integrations: {},
    seq,
    workspaceId,
  };
  return { workspaceId, profileId, event: loggedEvent, ord };
}

/** A workspace definition named `id`. */
function workspace(id: string, name = `Workspace ${id}`): WorkspaceDefinition {
  return { id, name, identity: DEFAULT_IDENTITY_RULES, computedTraits: [], recentEventsLimit: 20 };
}

/** A view commit with nothing in it but `parts`. */
function commit(parts: Partial<ViewCommit> & { checkpoint: number }): ViewCommit {
  return {
    rebuilt: [],
    profiles: [],
    deletedProfiles: [],
    identifiers: [],
    merges: [],
    eventLinks: [],
    derivedEvents: [],
    memberships: [],
    ...parts,
  };
}

/** A merge record of `fromId` into `intoId` caused by the event at `seq`. */
function merge(workspaceId: string, fromId: string, intoId: string, seq: number): MergeRecord {
  return {
    workspaceId,
    fromId,
    intoId,
    messageId: `m-${seq}`,
    seq,
    identifiers: [`email:${fromId}@example.com`],
    at: T0 + seq,
  };
}

/** A pending send in the outbox of `workspaceId`, to `profileId`, created and due at `T0 + n`. */
function send(workspaceId: string, id: string, n = 0, profileId = 'p1'): SendRecord {
  return {
    workspaceId,
    id,
    profileId,
    channel: 'email',
    to: `${profileId}@example.com`,
    content: { subject: `Hello ${id}`, text: 'Hi', nested: { list: [1, 'two', null] } },
    action: 'welcome',
    decisionId: `decision-${id}`,
    trigger: 'event:Signed Up',
    status: 'pending',
    attempts: 0,
    nextAttemptAt: T0 + n,
    createdAt: T0 + n,
    updatedAt: T0 + n,
  };
}

/** Appends events to one workspace and returns their seqs (all must be new). */
async function append(store: Store, workspaceId: string, messageIds: string[]): Promise<number[]> {
  const outcomes = await store.appendEvents(
    messageIds.map((id, n) => ({ workspaceId, event: event(id, n) })),
  );
  return outcomes.map((outcome) => {
    if (outcome.kind !== 'appended') throw new Error('expected a new event');
    return outcome.seq;
  });
}

/** Options of the contract suite. */
export interface StoreContractOptions {
  /** Closes a store and opens it again on the same data; only durable adapters give one. */
  reopen?: (store: Store) => Promise<Store>;
}

/**
 * The storage port's contract: every adapter runs this suite (`storeContract('sqlite', …)`).
 * `open` must give a fresh, empty store each time; the suite migrates and closes it.
 */
export function storeContract(
  name: string,
  open: () => Promise<Store>,
  options: StoreContractOptions = {},
): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await open();
      await store.migrate();
    });

    afterEach(async () => {
      await store.close();
    });

    describe('event log', () => {
      it('starts empty, and migrating again is harmless', async () => {
        await store.migrate();
        expect(await store.lastSeq()).toBe(0);
        expect(await store.viewCheckpoint()).toBe(0);
        expect(await store.readEvents({ afterSeq: 0, limit: 10 })).toEqual([]);
        expect(await store.listWorkspaces()).toEqual([]);
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

    describe('workspaces and keys', () => {
      it('versions a workspace definition when it changes', async () => {
        expect(await store.getWorkspace('shop')).toBeUndefined();
        expect(await store.saveWorkspace(workspace('shop'))).toEqual({
          id: 'shop',
          definition: workspace('shop'),
          version: 1,
          viewVersion: 0,
        });
        expect((await store.saveWorkspace(workspace('shop'))).version).toBe(1);
        expect((await store.saveWorkspace(workspace('shop', 'Renamed'))).version).toBe(2);
        await store.saveWorkspace(workspace('blog'));
        expect(await store.getWorkspace('shop')).toEqual({
          id: 'shop',
          definition: workspace('shop', 'Renamed'),
          version: 2,
          viewVersion: 0,
        });
        expect((await store.listWorkspaces()).map((w) => [w.id, w.version])).toEqual([
          ['blog', 1],
          ['shop', 2],
        ]);
      });

      it('finds keys by hash; registering a hash again changes nothing', async () => {
        const h1 = await store.addKey({ workspaceId: 'shop', kind: 'write', hash: 'h1' });
        const h2 = await store.addKey({ workspaceId: 'shop', kind: 'admin', hash: 'h2' });
        expect(await store.addKey({ workspaceId: 'blog', kind: 'admin', hash: 'h1' })).toEqual(h1);
        expect(h1.id).toMatch(/^key_/);
        expect(h1.id).not.toBe(h2.id);
        expect(await store.findKey('h1')).toEqual({ id: h1.id, workspaceId: 'shop', kind: 'write' });
        expect(await store.findKey('h2')).toEqual({ id: h2.id, workspaceId: 'shop', kind: 'admin' });
        expect(await store.findKey('h3')).toBeUndefined();
      });

      it('lists a workspace keys with their origin, label, hint and times, oldest first', async () => {
        await store.addKey({
          workspaceId: 'shop',
          kind: 'admin',
          hash: 'h2',
          id: 'key_b',
          source: 'env',
          hint: 'ak_…abcd',
          createdAt: T0 + 1,
        });
        await store.addKey({
          workspaceId: 'shop',
          kind: 'write',
          hash: 'h1',
          id: 'key_a',
          source: 'api',
          name: 'web site',
          hint: 'wk_…wxyz',
          createdAt: T0,
        });
        await store.addKey({ workspaceId: 'blog', kind: 'write', hash: 'h3', createdAt: T0 });
        expect(await store.listKeys('shop')).toEqual([
          {
            id: 'key_a',
            workspaceId: 'shop',
            kind: 'write',
            source: 'api',
            name: 'web site',
            hint: 'wk_…wxyz',
            createdAt: T0,
            lastUsedAt: null,
            revokedAt: null,
          },
          {
            id: 'key_b',
            workspaceId: 'shop',
            kind: 'admin',
            source: 'env',
            name: null,
            hint: 'ak_…abcd',
            createdAt: T0 + 1,
            lastUsedAt: null,
            revokedAt: null,
          },
        ]);
        expect(await store.listKeys('none')).toEqual([]);
      });

      it('records last use, never going back', async () => {
        const key = await store.addKey({ workspaceId: 'shop', kind: 'write', hash: 'h1', createdAt: T0 });
        await store.touchKey(key.id, T0 + 60_000);
        await store.touchKey(key.id, T0 + 30_000);
        expect((await store.listKeys('shop'))[0]?.lastUsedAt).toBe(T0 + 60_000);
      });

      it('revokes a key at once, only in its workspace, and keeps it listed', async () => {
        const key = await store.addKey({ workspaceId: 'shop', kind: 'write', hash: 'h1', createdAt: T0 });
        expect(
          await store.revokeKey({ workspaceId: 'blog', id: key.id, at: T0 + 5, keepLastAdmin: true }),
        ).toEqual({
          kind: 'not_found',
        });
        const revoked = { ...key, revokedAt: T0 + 5 };
        expect(
          await store.revokeKey({ workspaceId: 'shop', id: key.id, at: T0 + 5, keepLastAdmin: true }),
        ).toEqual({
          kind: 'revoked',
          key: revoked,
        });
        expect(await store.findKey('h1')).toBeUndefined();
        expect(
          await store.revokeKey({ workspaceId: 'shop', id: key.id, at: T0 + 9, keepLastAdmin: true }),
        ).toEqual({
          kind: 'revoked',
          key: revoked,
        });
        await store.addKey({ workspaceId: 'shop', kind: 'write', hash: 'h1' });
        expect(await store.findKey('h1')).toBeUndefined();
        expect(await store.listKeys('shop')).toEqual([revoked]);
      });

      it('refuses to revoke the last admin key when asked to keep it', async () => {
        const a = await store.addKey({ workspaceId: 'shop', kind: 'admin', hash: 'h1', createdAt: T0 });
        const b = await store.addKey({ workspaceId: 'shop', kind: 'admin', hash: 'h2', createdAt: T0 });
        await store.addKey({ workspaceId: 'blog', kind: 'admin', hash: 'h3', createdAt: T0 });
        const revokeA = { workspaceId: 'shop', id: a.id, at: T0 + 1, keepLastAdmin: true };
        const revokeB = { workspaceId: 'shop', id: b.id, at: T0 + 1, keepLastAdmin: true };
        const both = await Promise.all([store.revokeKey(revokeA), store.revokeKey(revokeB)]);
        expect(both.map((outcome) => outcome.kind).sort()).toEqual(['last_admin', 'revoked']);
        expect((await store.listKeys('shop')).filter((key) => key.revokedAt === null)).toHaveLength(1);
        const last = both[0]?.kind === 'last_admin' ? revokeA : revokeB;
        expect((await store.revokeKey({ ...last, keepLastAdmin: false })).kind).toBe('revoked');
        expect(await store.findKey('h1')).toBeUndefined();
        expect(await store.findKey('h2')).toBeUndefined();
      });
    });

    describe('view', () => {
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
        const unserializable = { ...profile('a', 'p2'), traits: { n: { value: 1n, at: T0 } } };
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
    });

    describe('timers, derived events and segments', () => {
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
        expect(await store.dueProfiles({ workspaceId: 'a', at: T0 + 30, after: first[1], limit: 2 })).toEqual(
          [{ id: 'p1', due: T0 + 30 }],
        );

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
          (await store.scanProfiles({ workspaceId: 'a', limit, ...(after ? { after } : {}) })).map(
            (p) => p.id,
          );
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
        expect((await store.segmentMembers({ workspaceId: 'a', segment: 'vip', limit: 10 })).members).toEqual(
          [{ profileId: 'keep', enteredAt: T0 }],
        );
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
        expect(
          (await store.dueProfiles({ workspaceId: 'a', at: T0, limit: 10 })).map((row) => row.id),
        ).toEqual([]);
        expect((await store.timeline({ workspaceId: 'b', profileId: 'p1', limit: 10 })).events).toHaveLength(
          1,
        );
        expect(await store.segmentSize('b', 'vip')).toBe(1);
        expect(
          (await store.dueProfiles({ workspaceId: 'b', at: T0, limit: 10 })).map((row) => row.id),
        ).toEqual(['p1']);
      });
    });

    describe('erasure', () => {
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
        expect(
          (await store.timeline({ workspaceId: 'a', profileId: 'keep', limit: 10 })).events,
        ).toHaveLength(1);
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
    });

    describe('outbox', () => {
      it('records a send once under its key, whole, optional fields absent when not given', async () => {
        const bare: SendRecord = {
          workspaceId: 'a',
          id: 'bare',
          profileId: 'p1',
          channel: 'sms',
          to: '+15550100',
          content: { text: 'Hi \u0000 ✓' },
          status: 'pending',
          attempts: 0,
          nextAttemptAt: T0,
          createdAt: T0,
          updatedAt: T0,
        };
        const called: SendRecord = {
          ...send('a', 'called'),
          status: 'sending',
          attempts: 1,
          calledAt: T0 + 1,
        };
        expect(await store.enqueueSends([send('a', 's1'), bare, send('a', 's1', 5), called])).toBe(3);
        expect(await store.enqueueSends([{ ...send('a', 's1', 9), to: 'other@example.com' }])).toBe(0);
        expect(await store.enqueueSends([])).toBe(0);
        expect(await store.getSend('a', 's1')).toEqual(send('a', 's1'));
        expect(await store.getSend('a', 'bare')).toEqual(bare);
        expect(await store.getSend('a', 'called')).toEqual(called);
        expect(await store.getSend('a', 'nope')).toBeUndefined();
      });

      it('claims due pending sends earliest first, up to the limit, never twice', async () => {
        await store.enqueueSends([
          send('a', 's3', 3),
          send('b', 's1', 1),
          send('a', 's1', 1),
          send('a', 's2', 2),
          send('a', 'later', 100),
          { ...send('a', 'done', 0), status: 'sent' },
        ]);
        const first = await store.claimSends(T0 + 10, 3);
        expect(first.map((row) => [row.workspaceId, row.id])).toEqual([
          ['a', 's1'],
          ['b', 's1'],
          ['a', 's2'],
        ]);
        // A claimed send counts as on its way to its provider until marked waiting.
        expect(first[0]).toEqual({
          ...send('a', 's1', 1),
          status: 'sending',
          attempts: 1,
          calledAt: T0 + 10,
          updatedAt: T0 + 10,
        });
        expect(await store.getSend('a', 's1')).toEqual(first[0]);
        expect((await store.claimSends(T0 + 10, 10)).map((row) => row.id)).toEqual(['s3']);
        expect(await store.claimSends(T0 + 10, 10)).toEqual([]);
        expect((await store.claimSends(T0 + 100, 10)).map((row) => row.id)).toEqual(['later']);
      });

      it('never hands one send to two concurrent claims', async () => {
        const ids = Array.from({ length: 40 }, (_, n) => `s${String(n).padStart(2, '0')}`);
        await store.enqueueSends(ids.map((id, n) => send('a', id, n)));
        const claims = await Promise.all([
          store.claimSends(T0 + 100, 25),
          store.claimSends(T0 + 100, 25),
          store.claimSends(T0 + 100, 25),
        ]);
        const claimed = claims.flat().map((row) => row.id);
        expect(claimed).toHaveLength(ids.length);
        expect(new Set(claimed).size).toBe(ids.length);
        expect(claims.flat().every((row) => row.attempts === 1 && row.status === 'sending')).toBe(true);
      });

      it('writes each outcome of an attempt', async () => {
        await store.enqueueSends(['ok', 'retry', 'bad', 'gone'].map((id) => send('a', id)));
        await store.claimSends(T0, 10);
        const at = T0 + 50;
        await store.finishSend({ workspaceId: 'a', id: 'ok', status: 'sent', providerMessageId: 'pm-1', at });
        await store.finishSend({
          workspaceId: 'a',
          id: 'retry',
          status: 'pending',
          nextAttemptAt: T0 + 500,
          lastError: 'HTTP 503',
          at,
        });
        await store.finishSend({
          workspaceId: 'a',
          id: 'bad',
          status: 'failed',
          lastError: 'invalid number',
          at,
        });
        await store.finishSend({ workspaceId: 'a', id: 'gone', status: 'dead', lastError: 'timeout', at });
        const claimed = { attempts: 1, calledAt: T0, updatedAt: at };
        expect(await store.getSend('a', 'ok')).toEqual({
          ...send('a', 'ok'),
          ...claimed,
          status: 'sent',
          providerMessageId: 'pm-1',
        });
        expect(await store.getSend('a', 'retry')).toEqual({
          ...send('a', 'retry'),
          ...claimed,
          status: 'pending',
          nextAttemptAt: T0 + 500,
          lastError: 'HTTP 503',
        });
        expect(await store.getSend('a', 'bad')).toEqual({
          ...send('a', 'bad'),
          ...claimed,
          status: 'failed',
          lastError: 'invalid number',
        });
        expect(await store.getSend('a', 'gone')).toEqual({
          ...send('a', 'gone'),
          ...claimed,
          status: 'dead',
          lastError: 'timeout',
        });
        expect(await store.claimSends(T0 + 499, 10)).toEqual([]);
        expect((await store.claimSends(T0 + 500, 10)).map((row) => [row.id, row.attempts])).toEqual([
          ['retry', 2],
        ]);
      });

      it('puts sends left sending back to pending, and tells when the next one is due', async () => {
        expect(await store.nextSendDue()).toBeUndefined();
        await store.enqueueSends([send('a', 's1', 1), send('b', 's2', 2), send('a', 's3', 30)]);
        expect(await store.nextSendDue()).toBe(T0 + 1);
        await store.claimSends(T0 + 2, 10);
        expect(await store.nextSendDue()).toBe(T0 + 30);
        await store.markWaiting([{ workspaceId: 'b', id: 's2' }]);
        expect(await store.releaseSending({ at: T0 + 20 })).toEqual({
          released: 2,
          neverCalled: 1,
          awaiting: 0,
        });
        expect(await store.releaseSending({ at: T0 + 20 })).toEqual({
          released: 0,
          neverCalled: 0,
          awaiting: 0,
        });
        expect(await store.nextSendDue()).toBe(T0 + 20);
        expect(await store.getSend('b', 's2')).toEqual({
          ...send('b', 's2', 2),
          attempts: 1,
          nextAttemptAt: T0 + 20,
          updatedAt: T0 + 20,
        });
        expect((await store.getSend('a', 's1'))?.calledAt).toBe(T0 + 2);
        await store.claimSends(T0 + 100, 10);
        expect(await store.nextSendDue()).toBeUndefined();
      });

      it('holds sends in doubt on channels that confirm by callback for the window, releases the rest at once', async () => {
        await store.enqueueSends([
          { ...send('a', 'wa'), channel: 'whatsapp' },
          { ...send('a', 'mail'), channel: 'email' },
          { ...send('b', 'wa'), channel: 'whatsapp' },
          { ...send('a', 'idle', 50), channel: 'whatsapp' },
        ]);
        await store.claimSends(T0 + 1, 10);
        await store.markCalled(
          [
            { workspaceId: 'a', id: 'wa' },
            { workspaceId: 'a', id: 'mail' },
            { workspaceId: 'b', id: 'wa' },
          ],
          T0 + 2,
        );
        const reason = 'waiting for the provider';
        const awaiting = {
          channels: [{ workspaceId: 'a', channel: 'whatsapp' as const }],
          until: T0 + 900,
          reason,
        };
        expect(await store.releaseSending({ at: T0 + 10, awaiting })).toEqual({
          released: 2,
          neverCalled: 0,
          awaiting: 1,
        });
        expect(await store.getSend('a', 'wa')).toEqual({
          ...send('a', 'wa'),
          channel: 'whatsapp',
          attempts: 1,
          nextAttemptAt: T0 + 900,
          lastError: reason,
          calledAt: T0 + 2,
          updatedAt: T0 + 10,
        });
        // Another workspace's WhatsApp is not in the list: released at once, like email.
        expect((await store.getSend('b', 'wa'))?.nextAttemptAt).toBe(T0 + 10);
        expect((await store.getSend('a', 'mail'))?.nextAttemptAt).toBe(T0 + 10);
        expect((await store.getSend('a', 'idle'))?.status).toBe('pending');
        expect(
          (await store.claimSends(T0 + 899, 10)).map((row) => `${row.workspaceId}/${row.id}`).sort(),
        ).toEqual(['a/idle', 'a/mail', 'b/wa']);
        // A confirmation inside the window marks it sent: it is never claimed again.
        expect(
          (
            await store.confirmSend({
              workspaceId: 'a',
              id: 'wa',
              providerMessageId: 'wamid.1',
              at: T0 + 500,
            })
          )?.status,
        ).toBe('sent');
        expect(await store.claimSends(T0 + 900, 10)).toEqual([]);
      });

      it('releases a send never handed to its provider at once, even on a channel that confirms by callback', async () => {
        await store.enqueueSends([
          { ...send('a', 'called'), channel: 'whatsapp' },
          { ...send('a', 'queued', 1), channel: 'whatsapp' },
          { ...send('a', 'mail', 2), channel: 'email' },
        ]);
        await store.claimSends(T0 + 5, 10);
        // Claimed, two of them then wait for their rate-limit slot; the first is handed over.
        await store.markWaiting([
          { workspaceId: 'a', id: 'queued' },
          { workspaceId: 'a', id: 'mail' },
        ]);
        await store.markCalled([{ workspaceId: 'a', id: 'called' }], T0 + 6);
        const reason = 'waiting for the provider';
        const awaiting = {
          channels: [{ workspaceId: 'a', channel: 'whatsapp' as const }],
          until: T0 + 900,
          reason,
        };
        expect(await store.releaseSending({ at: T0 + 10, awaiting })).toEqual({
          released: 2,
          neverCalled: 2,
          awaiting: 1,
        });
        // Claimed, waiting for its rate-limit slot: it never left, so it goes now, its last error untouched.
        expect(await store.getSend('a', 'queued')).toEqual({
          ...send('a', 'queued', 1),
          channel: 'whatsapp',
          attempts: 1,
          nextAttemptAt: T0 + 10,
          updatedAt: T0 + 10,
        });
        expect(await store.getSend('a', 'called')).toMatchObject({
          status: 'pending',
          nextAttemptAt: T0 + 900,
          lastError: reason,
          calledAt: T0 + 6,
        });
        expect((await store.claimSends(T0 + 10, 10)).map((row) => row.id).sort()).toEqual(['mail', 'queued']);
        expect((await store.claimSends(T0 + 900, 10)).map((row) => row.id)).toEqual(['called']);
      });

      it('a claim counts a send as called; marking it waiting and called again changes only sends still sending', async () => {
        await store.enqueueSends([send('a', 's1'), send('a', 's2', 1), send('b', 's1', 2)]);
        // Not claimed yet: nothing to mark.
        await store.markCalled([{ workspaceId: 'a', id: 's1' }], T0);
        expect((await store.getSend('a', 's1'))?.calledAt).toBeUndefined();
        const claimed = await store.claimSends(T0 + 5, 10);
        expect(claimed.map((row) => row.calledAt)).toEqual([T0 + 5, T0 + 5, T0 + 5]);
        await store.markWaiting([]);
        await store.markWaiting([
          { workspaceId: 'a', id: 's1' },
          { workspaceId: 'a', id: 's2' },
          { workspaceId: 'a', id: 'nope' },
        ]);
        expect((await store.getSend('a', 's1'))?.calledAt).toBeUndefined();
        expect((await store.getSend('a', 's2'))?.calledAt).toBeUndefined();
        // Same id, another workspace: untouched.
        expect((await store.getSend('b', 's1'))?.calledAt).toBe(T0 + 5);
        await store.markCalled([], T0 + 6);
        await store.markCalled(
          [
            { workspaceId: 'a', id: 's1' },
            { workspaceId: 'a', id: 's2' },
          ],
          T0 + 7,
        );
        expect((await store.getSend('a', 's1'))?.calledAt).toBe(T0 + 7);
        expect((await store.getSend('a', 's2'))?.calledAt).toBe(T0 + 7);

        await store.finishSend({
          workspaceId: 'a',
          id: 's1',
          status: 'sent',
          providerMessageId: 'pm-1',
          at: T0 + 8,
        });
        await store.finishSend({
          workspaceId: 'a',
          id: 's2',
          status: 'pending',
          nextAttemptAt: T0 + 50,
          lastError: 'HTTP 503',
          at: T0 + 8,
        });
        // The outcome keeps when the attempt was handed over; a send no longer sending is not marked again.
        await store.markCalled([{ workspaceId: 'a', id: 's1' }], T0 + 9);
        await store.markWaiting([{ workspaceId: 'a', id: 's2' }]);
        expect(await store.getSend('a', 's1')).toMatchObject({ status: 'sent', calledAt: T0 + 7 });
        expect(await store.getSend('a', 's2')).toMatchObject({ status: 'pending', calledAt: T0 + 7 });

        const [again] = await store.claimSends(T0 + 50, 10);
        expect(again).toMatchObject({ id: 's2', status: 'sending', attempts: 2, calledAt: T0 + 50 });
        await store.markWaiting([{ workspaceId: 'a', id: 's2' }]);
        // Left so by a stop: that attempt of s2 waited for its slot; b/s1's counts as handed over.
        expect(await store.releaseSending({ at: T0 + 60 })).toEqual({
          released: 2,
          neverCalled: 1,
          awaiting: 0,
        });
      });

      it('confirms a send by callback from any status but sent, once, within its workspace', async () => {
        await store.enqueueSends([
          send('a', 'sending'),
          send('a', 'pending', 5),
          { ...send('a', 'dead'), status: 'dead', attempts: 10, lastError: 'timed out' },
          { ...send('a', 'sent'), status: 'sent', attempts: 1, providerMessageId: 'pm-first' },
        ]);
        await store.claimSends(T0, 1);
        const confirm = (id: string, workspaceId = 'a') =>
          store.confirmSend({ workspaceId, id, providerMessageId: `pm-${id}`, at: T0 + 40 });
        expect(await confirm('sending')).toEqual({
          ...send('a', 'sending'),
          status: 'sent',
          attempts: 1,
          providerMessageId: 'pm-sending',
          calledAt: T0,
          updatedAt: T0 + 40,
        });
        expect((await confirm('pending'))?.status).toBe('sent');
        const dead = await confirm('dead');
        expect(dead?.status).toBe('sent');
        expect(dead?.lastError).toBeUndefined();
        expect(await confirm('sent')).toBeUndefined();
        expect((await store.getSend('a', 'sent'))?.providerMessageId).toBe('pm-first');
        expect(await confirm('sending')).toBeUndefined();
        expect(await confirm('nope')).toBeUndefined();
        expect(await confirm('sending', 'b')).toBeUndefined();
        expect(await store.nextSendDue()).toBeUndefined();
      });

      it('never moves a send a callback confirmed back to pending or failed', async () => {
        await store.enqueueSends([send('a', 's1'), send('a', 's2')]);
        await store.claimSends(T0, 10);
        await store.confirmSend({ workspaceId: 'a', id: 's1', providerMessageId: 'wamid.cb', at: T0 + 5 });
        await store.confirmSend({ workspaceId: 'a', id: 's2', providerMessageId: 'wamid.cb2', at: T0 + 5 });
        // The attempts' answers come late: a timeout, and a refusal.
        await store.finishSend({
          workspaceId: 'a',
          id: 's1',
          status: 'pending',
          nextAttemptAt: T0 + 100,
          lastError: 'timed out',
          at: T0 + 10,
        });
        await store.finishSend({ workspaceId: 'a', id: 's2', status: 'failed', lastError: 'x', at: T0 + 10 });
        for (const [id, wamid] of [
          ['s1', 'wamid.cb'],
          ['s2', 'wamid.cb2'],
        ] as const) {
          expect(await store.getSend('a', id)).toEqual({
            ...send('a', id),
            status: 'sent',
            attempts: 1,
            providerMessageId: wamid,
            calledAt: T0,
            updatedAt: T0 + 5,
          });
        }
        expect(await store.claimSends(T0 + 100, 10)).toEqual([]);
        // A pending send (not claimed) is not written by an attempt's outcome either.
        await store.enqueueSends([send('a', 'p')]);
        await store.finishSend({ workspaceId: 'a', id: 'p', status: 'dead', lastError: 'x', at: T0 + 9 });
        expect(await store.getSend('a', 'p')).toEqual(send('a', 'p'));
      });

      it('counts sends by trigger and status for triggers starting with a prefix', async () => {
        const withTrigger = (id: string, trigger: string | undefined, status: SendRecord['status']) => {
          const { trigger: _default, ...rest } = send('a', id);
          return { ...rest, status, ...(trigger === undefined ? {} : { trigger }) };
        };
        await store.enqueueSends([
          withTrigger('r1', 'journey:checkout_recovery:remind', 'sent'),
          withTrigger('r2', 'journey:checkout_recovery:remind', 'sent'),
          withTrigger('r3', 'journey:checkout_recovery:remind', 'pending'),
          withTrigger('n1', 'journey:checkout_recovery:nudge', 'failed'),
          withTrigger('w1', 'journey:welcome:hello', 'dead'),
          withTrigger('j1', 'journey;', 'sent'),
          withTrigger('jx', 'journeyx:weird', 'sent'),
          withTrigger('e1', 'event:Checkout Abandoned', 'sent'),
          withTrigger('none', undefined, 'sent'),
          { ...withTrigger('other', 'journey:welcome:hello', 'sent'), workspaceId: 'b' },
        ]);
        expect(await store.sendCountsByTrigger('a', 'journey:')).toEqual([
          { trigger: 'journey:checkout_recovery:nudge', status: 'failed', count: 1 },
          { trigger: 'journey:checkout_recovery:remind', status: 'pending', count: 1 },
          { trigger: 'journey:checkout_recovery:remind', status: 'sent', count: 2 },
          { trigger: 'journey:welcome:hello', status: 'dead', count: 1 },
        ]);
        expect(await store.sendCountsByTrigger('a', 'journey:welcome:')).toEqual([
          { trigger: 'journey:welcome:hello', status: 'dead', count: 1 },
        ]);
        expect(await store.sendCountsByTrigger('a', 'event:')).toEqual([
          { trigger: 'event:Checkout Abandoned', status: 'sent', count: 1 },
        ]);
        expect((await store.sendCountsByTrigger('a', '')).reduce((sum, row) => sum + row.count, 0)).toBe(8);
        expect(await store.sendCountsByTrigger('a', 'segment_entered:')).toEqual([]);
        expect(await store.sendCountsByTrigger('c', 'journey:')).toEqual([]);
        expect(await store.getSend('a', 'none')).not.toHaveProperty('trigger');
      });

      it('lists a workspace newest first, optionally of one status, a page at a time', async () => {
        await store.enqueueSends([
          send('a', 's1', 1),
          send('a', 's2', 2),
          send('a', 's3b', 3),
          send('a', 's3a', 3),
          { ...send('a', 's4', 4), status: 'dead', lastError: 'timeout' },
          send('b', 's5', 5),
        ]);
        const ids = (rows: SendRecord[]) => rows.map((row) => row.id);
        const page1 = await store.listSends({ workspaceId: 'a', limit: 2 });
        expect(ids(page1)).toEqual(['s4', 's3b']);
        const last = page1.at(-1);
        const cursor = last && { createdAt: last.createdAt, id: last.id };
        expect(ids(await store.listSends({ workspaceId: 'a', before: cursor, limit: 2 }))).toEqual([
          's3a',
          's2',
        ]);
        expect(
          ids(await store.listSends({ workspaceId: 'a', before: { createdAt: T0 + 2, id: 's2' }, limit: 5 })),
        ).toEqual(['s1']);
        expect(ids(await store.listSends({ workspaceId: 'a', status: 'pending', limit: 10 }))).toEqual([
          's3b',
          's3a',
          's2',
          's1',
        ]);
        expect(await store.listSends({ workspaceId: 'a', status: 'dead', limit: 10 })).toEqual([
          { ...send('a', 's4', 4), status: 'dead', lastError: 'timeout' },
        ]);
        expect(await store.listSends({ workspaceId: 'a', status: 'sent', limit: 10 })).toEqual([]);
        expect(ids(await store.listSends({ workspaceId: 'b', limit: 10 }))).toEqual(['s5']);
      });

      it('redrives only dead or failed sends, resetting their attempts and keeping the last error', async () => {
        await store.enqueueSends([
          { ...send('a', 'dead'), status: 'dead', attempts: 5, lastError: 'timeout' },
          { ...send('a', 'failed'), status: 'failed', attempts: 1, lastError: 'bounce' },
          { ...send('a', 'sent'), status: 'sent', attempts: 1, providerMessageId: 'pm' },
          send('a', 'pending'),
          { ...send('a', 'sending'), status: 'sending', attempts: 1 },
        ]);
        expect(await store.redriveSend('a', 'dead', T0 + 70)).toBe(true);
        expect(await store.redriveSend('a', 'failed', T0 + 70)).toBe(true);
        for (const id of ['sent', 'pending', 'sending', 'nope']) {
          expect(await store.redriveSend('a', id, T0 + 70)).toBe(false);
        }
        expect(await store.redriveSend('b', 'dead', T0 + 70)).toBe(false);
        expect(await store.getSend('a', 'dead')).toEqual({
          ...send('a', 'dead'),
          lastError: 'timeout',
          nextAttemptAt: T0 + 70,
          updatedAt: T0 + 70,
        });
        expect(await store.redriveSend('a', 'dead', T0 + 80)).toBe(false);
        expect((await store.claimSends(T0 + 70, 10)).map((row) => [row.id, row.attempts])).toEqual([
          ['pending', 1],
          ['dead', 1],
          ['failed', 1],
        ]);
        expect((await store.getSend('a', 'sent'))?.status).toBe('sent');
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

      it('is not view data: a rebuild leaves the outbox as it is', async () => {
        await store.enqueueSends([send('a', 's1')]);
        await store.commitView(commit({ checkpoint: 1, rebuilt: [{ workspaceId: 'a', version: 1 }] }));
        expect(await store.getSend('a', 's1')).toEqual(send('a', 's1'));
      });

      it('keeps the outboxes of workspaces apart', async () => {
        await store.enqueueSends([send('a', 's1'), { ...send('b', 's1'), to: 'b@example.com' }]);
        expect((await store.getSend('b', 's1'))?.to).toBe('b@example.com');
        await store.finishSend({ workspaceId: 'a', id: 's1', status: 'dead', lastError: 'x', at: T0 + 1 });
        expect(await store.getSend('b', 's1')).toEqual({ ...send('b', 's1'), to: 'b@example.com' });
        expect(await store.listSends({ workspaceId: 'c', limit: 10 })).toEqual([]);
        expect(await store.getSend('c', 's1')).toBeUndefined();
      });
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
      expect((await store.readEvents({ afterSeq: 0, limit: 5, workspaceId: 'b' })).map((e) => e.seq)).toEqual(
        [seqB],
      );

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
}
