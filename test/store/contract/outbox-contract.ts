import { describe, expect, it } from 'vitest';
import type { SendRecord } from '../../../src/activate/send-record.ts';
import type { Store } from '../../../src/store/store.ts';
import { commit, freshStoreEach, type OpenStore, send, T0 } from './store-fixtures.ts';

/**
 * The outbox's contract: sends recorded once, claimed once, finished, confirmed, released, listed
 * and re-driven. Every adapter runs it (see `store-contract.ts`), on a fresh, empty store from
 * `open` for each test; a test may use the store's other ports to set up what it reads.
 */
export function outboxContract(open: OpenStore): void {
  describe('outbox', () => {
    let store: Store;
    freshStoreEach(open, (opened) => {
      store = opened;
    });

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

    it('writes the outcomes of many attempts at once, only to sends still sending', async () => {
      await store.enqueueSends(['x', 'y', 'z'].map((id) => send('a', id)));
      await store.claimSends(T0, 2);
      const at = T0 + 50;
      await store.finishSends([
        { workspaceId: 'a', id: 'x', status: 'sent', providerMessageId: 'session:1', at },
        { workspaceId: 'a', id: 'y', status: 'pending', nextAttemptAt: T0 + 900, lastError: 'HTTP 429', at },
        { workspaceId: 'a', id: 'z', status: 'sent', providerMessageId: 'session:1', at },
      ]);
      expect(await store.getSend('a', 'x')).toMatchObject({ status: 'sent', providerMessageId: 'session:1' });
      expect(await store.getSend('a', 'y')).toMatchObject({
        status: 'pending',
        nextAttemptAt: T0 + 900,
        lastError: 'HTTP 429',
      });
      // z was never claimed: an outcome for it is not written.
      expect(await store.getSend('a', 'z')).toEqual(send('a', 'z'));
      await store.finishSends([]);
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

    it("gives each profile's latest live send of a trigger, by profile id, a page at a time", async () => {
      const audience = 'audience:meta_audiences:vip';
      const of = (input: { id: string; profile: string; n: number; status?: SendRecord['status'] }) => ({
        ...send('a', input.id, input.n, input.profile),
        trigger: audience,
        status: input.status ?? 'sent',
      });
      await store.enqueueSends([
        of({ id: 'b-add', profile: 'pB', n: 1 }),
        of({ id: 'b-remove', profile: 'pB', n: 2 }),
        // A failed or dead send told the platform nothing: the send before it stands.
        of({ id: 'b-add-again', profile: 'pB', n: 3, status: 'failed' }),
        of({ id: 'a-add', profile: 'pA', n: 5, status: 'pending' }),
        of({ id: 'a-older', profile: 'pA', n: 4 }),
        of({ id: 'c-x', profile: 'pC', n: 7 }),
        of({ id: 'c-w', profile: 'pC', n: 7, status: 'sending' }),
        of({ id: 'd-dead', profile: 'pD', n: 1, status: 'dead' }),
        of({ id: 'Z-upper', profile: 'Z', n: 1 }),
        { ...of({ id: 'e-other', profile: 'pE', n: 1 }), trigger: 'audience:meta_audiences:vip2' },
        { ...of({ id: 'f-other-ws', profile: 'pF', n: 1 }), workspaceId: 'b' },
      ]);
      const page = async (after?: string) =>
        (
          await store.latestSendsByProfile({
            workspaceId: 'a',
            trigger: audience,
            limit: 2,
            ...(after === undefined ? {} : { after }),
          })
        ).map((row) => [row.profileId, row.id]);
      expect(await page()).toEqual([
        ['Z', 'Z-upper'],
        ['pA', 'a-add'],
      ]);
      expect(await page('pA')).toEqual([
        ['pB', 'b-remove'],
        ['pC', 'c-x'],
      ]);
      expect(await page('pC')).toEqual([]);
      const [latest] = await store.latestSendsByProfile({ workspaceId: 'a', trigger: audience, limit: 1 });
      expect(latest).toEqual(of({ id: 'Z-upper', profile: 'Z', n: 1 }));
    });

    it('counts failed sends by trigger whose last error starts with a reason', async () => {
      const failed = (
        id: string,
        trigger: string,
        lastError: string,
        status: SendRecord['status'] = 'failed',
      ) => ({
        ...send('a', id),
        trigger,
        status,
        lastError,
      });
      await store.enqueueSends([
        failed('m1', 'audience:meta_audiences:vip', 'superseded: the person left vip before it was sent'),
        failed('m2', 'audience:meta_audiences:vip', 'superseded: the person is in vip again'),
        failed('m3', 'audience:meta_audiences:vip', 'consent: advertising is not granted'),
        failed('m4', 'audience:meta_audiences:vip', 'superseded: …', 'dead'),
        failed('g1', 'audience:google_customer_match:vip', 'superseded: the person is in vip again'),
        failed('j1', 'journey:x:y', 'superseded: not an audience'),
        { ...failed('o1', 'audience:meta_audiences:vip', 'superseded: other workspace'), workspaceId: 'b' },
      ]);
      expect(
        await store.failedCountsByReason({ workspaceId: 'a', prefix: 'audience:', reason: 'superseded: ' }),
      ).toEqual([
        { trigger: 'audience:google_customer_match:vip', count: 1 },
        { trigger: 'audience:meta_audiences:vip', count: 2 },
      ]);
      expect(
        await store.failedCountsByReason({ workspaceId: 'a', prefix: 'audience:', reason: 'consent: ' }),
      ).toEqual([{ trigger: 'audience:meta_audiences:vip', count: 1 }]);
      expect(
        await store.failedCountsByReason({ workspaceId: 'a', prefix: '', reason: 'superseded: ' }),
      ).toHaveLength(3);
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
}
