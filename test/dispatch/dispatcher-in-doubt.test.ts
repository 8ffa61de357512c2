import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LocalTwilio, startLocalTwilio } from '../../src/activate/local/local-twilio.ts';
import { type LocalWhatsApp, startLocalWhatsApp } from '../../src/activate/local/local-whatsapp.ts';
import type { SendRecord } from '../../src/activate/send-record.ts';
import { createTwilioAdapter } from '../../src/activate/sms/twilio-adapter.ts';
import { createWhatsAppAdapter } from '../../src/activate/whatsapp/whatsapp-adapter.ts';
import { type FakeClock, fakeClock } from '../../src/clock.ts';
import { Dispatcher } from '../../src/dispatch/dispatcher.ts';
import { silentLogger } from '../../src/logger.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';

const T0 = Date.parse('2026-03-10T06:00:00Z');
const WINDOW = 30_000;

let wa: LocalWhatsApp;
let twilio: LocalTwilio;
let store: SqliteStore;
let clock: FakeClock;
let dispatcher: Dispatcher;

beforeEach(async () => {
  wa = await startLocalWhatsApp();
  twilio = await startLocalTwilio();
  store = new SqliteStore({ path: ':memory:' });
  clock = fakeClock(T0);
  const whatsapp = createWhatsAppAdapter({
    baseUrl: wa.baseUrl,
    phoneNumberId: wa.phoneNumberId,
    accessToken: wa.accessToken,
  });
  // No status callback URL: Twilio's callbacks cannot name the send, so SMS is not confirmed.
  const sms = createTwilioAdapter({
    baseUrl: twilio.url,
    accountSid: twilio.accountSid,
    authToken: twilio.authToken,
    from: '+15005550006',
  });
  dispatcher = new Dispatcher({
    outbox: store,
    clock: clock.now,
    logger: silentLogger,
    adapters: (workspaceId, channel) =>
      workspaceId !== 'a'
        ? undefined
        : channel === 'whatsapp'
          ? whatsapp
          : channel === 'sms'
            ? sms
            : undefined,
    workspaceIds: () => ['a'],
    reconcileMs: WINDOW,
    pollMs: 60_000,
  });
});
afterEach(async () => {
  await dispatcher.stop();
  await store.close();
  await Promise.all([wa.close(), twilio.close()]);
});

/** A send a crash left `sending`: handed to its provider, no answer written. */
function leftSending(id: string, channel: 'whatsapp' | 'sms'): SendRecord {
  return { ...leftQueued(id, channel), calledAt: T0 - 900 };
}

/** A send a crash left `sending` while it waited for its rate-limit slot: never handed to its provider. */
function leftQueued(id: string, channel: 'whatsapp' | 'sms'): SendRecord {
  return {
    workspaceId: 'a',
    id,
    profileId: 'p1',
    channel,
    to: '+919845012345',
    content: { text: `Hi ${id}` },
    status: 'sending',
    attempts: 1,
    nextAttemptAt: T0 - 1_000,
    createdAt: T0 - 1_000,
    updatedAt: T0 - 1_000,
  };
}

describe('sends in doubt after a restart', () => {
  it('waits the reconcile window for confirmations on WhatsApp, retries SMS without one at once', async () => {
    await store.enqueueSends([
      leftSending('taken:whatsapp', 'whatsapp'),
      leftSending('lost:whatsapp', 'whatsapp'),
      leftSending('text:sms', 'sms'),
      leftQueued('queued:whatsapp', 'whatsapp'),
    ]);
    await dispatcher.start();
    await dispatcher.drain();
    expect(twilio.messages().map((message) => message.body)).toEqual(['Hi text:sms']);
    // Never handed to WhatsApp before the crash: nothing to wait for.
    expect(wa.accepted().map((message) => message.body.biz_opaque_callback_data)).toEqual([
      'queued:whatsapp',
    ]);
    expect(await store.getSend('a', 'queued:whatsapp')).toMatchObject({ status: 'sent', attempts: 2 });
    const held = await store.getSend('a', 'lost:whatsapp');
    expect(held).toMatchObject({ status: 'pending', nextAttemptAt: T0 + WINDOW });
    expect(held?.lastError).toMatch(/waiting until .* for the provider's confirmation/);

    // The provider's callback for the send it took arrives inside the window.
    clock.advance(WINDOW - 1);
    await store.confirmSend({
      workspaceId: 'a',
      id: 'taken:whatsapp',
      providerMessageId: 'wamid.1',
      at: clock.now(),
    });
    await dispatcher.drain();
    expect(wa.accepted()).toHaveLength(1);

    clock.advance(1);
    await dispatcher.drain();
    expect(wa.accepted().map((message) => message.body.biz_opaque_callback_data)).toEqual([
      'queued:whatsapp',
      'lost:whatsapp',
    ]);
    expect(await store.getSend('a', 'taken:whatsapp')).toMatchObject({
      status: 'sent',
      providerMessageId: 'wamid.1',
      attempts: 1,
    });
    expect(await store.getSend('a', 'lost:whatsapp')).toMatchObject({
      status: 'sent',
      attempts: 2,
      providerMessageId: wa.accepted()[1]?.wamid,
    });
  });

  it('counts a claimed send as handed over with no write of its own; one held by the rate limit is marked waiting, then called', async () => {
    // The proxy reads the sends in flight as a request reaches it (SQLite reads at once), then forwards it.
    const seen: SendRecord[][] = [];
    const proxy = await startFaultProxy({
      target: wa.baseUrl,
      rule: () => {
        void store
          .listSends({ workspaceId: 'a', status: 'sending', limit: 10 })
          .then((rows) => seen.push(rows));
        return undefined;
      },
    });
    const whatsapp = createWhatsAppAdapter({
      baseUrl: `${proxy.url}/v21.0`,
      phoneNumberId: wa.phoneNumberId,
      accessToken: wa.accessToken,
    });
    // The real store, with its markWaiting and markCalled writes recorded.
    const writes: string[] = [];
    const counted = new Proxy(store, {
      get(target, key) {
        if (key === 'markCalled')
          return (calls: { workspaceId: string; id: string }[], at: number) => {
            writes.push(`called ${calls.map((call) => call.id).join(',')}`);
            return target.markCalled(calls, at);
          };
        if (key === 'markWaiting')
          return (calls: { workspaceId: string; id: string }[]) => {
            writes.push(`waiting ${calls.map((call) => call.id).join(',')}`);
            return target.markWaiting(calls);
          };
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const marking = new Dispatcher({
      outbox: counted,
      clock: clock.now,
      logger: silentLogger,
      adapters: (_workspaceId, channel) => (channel === 'whatsapp' ? whatsapp : undefined),
      stillAllowed: async (send) => (send.id === 'withdrawn:whatsapp' ? 'consent withdrawn' : null),
      // One a second: the first send goes at once, the second waits for the next slot.
      ratePerSecond: () => 1,
      pollMs: 60_000,
    });
    try {
      const fresh = ['fresh:whatsapp', 'next:whatsapp', 'withdrawn:whatsapp'];
      await store.enqueueSends(
        fresh.map((id) => ({ ...leftQueued(id, 'whatsapp'), status: 'pending' as const, attempts: 0 })),
      );
      await marking.start();
      // While the second send waits for its slot, only it is unmarked: a stop now would send it at once after.
      for (let tries = 0; tries < 100 && !writes.includes('waiting next:whatsapp'); tries += 1)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect((await store.getSend('a', 'next:whatsapp'))?.calledAt).toBeUndefined();
      await marking.drain();
      expect(proxy.requests()).toBe(2);
      // The send under the rate cost no write beyond its claim; the held one was marked twice.
      expect(writes).toEqual(['waiting next:whatsapp', 'called next:whatsapp']);
      // Each send was counted as handed over when its request reached the provider.
      expect(seen).toHaveLength(2);
      for (const rows of seen) {
        const byId = new Map(rows.map((row) => [row.id, row.calledAt]));
        expect(byId.get('fresh:whatsapp') ?? T0).toBe(T0);
      }
      expect(seen[1]?.find((row) => row.id === 'next:whatsapp')?.calledAt).toBe(T0);
      expect(await store.getSend('a', 'fresh:whatsapp')).toMatchObject({ status: 'sent', calledAt: T0 });
      expect(await store.getSend('a', 'next:whatsapp')).toMatchObject({ status: 'sent', calledAt: T0 });
      const withdrawn = await store.getSend('a', 'withdrawn:whatsapp');
      expect(withdrawn).toMatchObject({ status: 'failed', lastError: 'consent withdrawn' });
    } finally {
      await marking.stop();
      await proxy.close();
    }
  });

  it('leaves a send sent when its callback arrives while the attempt is out and the attempt then fails', async () => {
    // The provider takes the message, its status webhook is read first, and then the answer is lost
    // (a 503 stands in for the timeout): the retry must not happen.
    const proxy = await startFaultProxy({
      target: wa.baseUrl,
      rule: () => {
        void store.confirmSend({
          workspaceId: 'a',
          id: 'raced:whatsapp',
          providerMessageId: 'wamid.cb',
          at: clock.now(),
        });
        return { status: 503, body: { error: { message: 'Service unavailable', code: 2 } } };
      },
    });
    const whatsapp = createWhatsAppAdapter({
      baseUrl: `${proxy.url}/v21.0`,
      phoneNumberId: wa.phoneNumberId,
      accessToken: wa.accessToken,
    });
    const raced = new Dispatcher({
      outbox: store,
      clock: clock.now,
      logger: silentLogger,
      adapters: (_workspaceId, channel) => (channel === 'whatsapp' ? whatsapp : undefined),
      pollMs: 60_000,
    });
    try {
      await store.enqueueSends([
        { ...leftSending('raced:whatsapp', 'whatsapp'), status: 'pending', attempts: 0 },
      ]);
      await raced.start();
      await raced.drain();
      expect(proxy.requests()).toBe(1);
      expect(await store.getSend('a', 'raced:whatsapp')).toMatchObject({
        status: 'sent',
        providerMessageId: 'wamid.cb',
        attempts: 1,
      });
      expect(await store.nextSendDue()).toBeUndefined();
    } finally {
      await raced.stop();
      await proxy.close();
    }
  });
  it('counts a confirmation received but not yet written when the window ends', async () => {
    await store.enqueueSends([leftSending('taken:whatsapp', 'whatsapp')]);
    const outcomes: string[] = [];
    dispatcher.onAttempts((send, outcome) => outcomes.push(`${send.id} ${outcome.kind}`));
    await dispatcher.start();
    await dispatcher.drain();
    // The callback is read just before the window ends; its write to the outbox is still to come.
    clock.advance(WINDOW - 1);
    dispatcher.confirmationsReceived('a', [{ sendId: 'taken:whatsapp', providerMessageId: 'wamid.early' }]);
    clock.advance(1);
    await dispatcher.drain();
    expect(wa.accepted()).toEqual([]);
    expect(await store.getSend('a', 'taken:whatsapp')).toMatchObject({
      status: 'sent',
      providerMessageId: 'wamid.early',
    });
    // Listeners (the metrics) hear of it as sent.
    expect(outcomes).toEqual(['taken:whatsapp sent']);
    // The write that comes after changes nothing.
    expect(
      await store.confirmSend({
        workspaceId: 'a',
        id: 'taken:whatsapp',
        providerMessageId: 'wamid.early',
        at: clock.now(),
      }),
    ).toBeUndefined();
  });

  it('does not call the provider for a claimed send whose confirmation comes while it waits for its slot', async () => {
    const whatsapp = createWhatsAppAdapter({
      baseUrl: wa.baseUrl,
      phoneNumberId: wa.phoneNumberId,
      accessToken: wa.accessToken,
    });
    const slow = new Dispatcher({
      outbox: store,
      clock: clock.now,
      logger: silentLogger,
      adapters: (_workspaceId, channel) => (channel === 'whatsapp' ? whatsapp : undefined),
      workspaceIds: () => ['a'],
      reconcileMs: WINDOW,
      // One a second: the second send in doubt waits for its slot once the window ends.
      ratePerSecond: () => 1,
      pollMs: 60_000,
    });
    try {
      await store.enqueueSends([
        leftSending('first:whatsapp', 'whatsapp'),
        leftSending('second:whatsapp', 'whatsapp'),
      ]);
      await slow.start();
      await slow.drain();
      clock.advance(WINDOW);
      const draining = slow.drain();
      for (let tries = 0; tries < 100 && wa.accepted().length === 0; tries += 1)
        await new Promise((resolve) => setTimeout(resolve, 10));
      // The second is claimed and waiting for its slot; its confirmation is received and written,
      // and so much later that the dispatcher no longer remembers having received it.
      slow.confirmationsReceived('a', [{ sendId: 'second:whatsapp', providerMessageId: 'wamid.late' }]);
      await store.confirmSend({
        workspaceId: 'a',
        id: 'second:whatsapp',
        providerMessageId: 'wamid.late',
        at: clock.now(),
      });
      clock.advance(10 * 60_000);
      slow.confirmationsReceived('a', [{ sendId: 'other:whatsapp', providerMessageId: 'wamid.other' }]);
      await draining;
      expect(wa.accepted().map((message) => message.body.biz_opaque_callback_data)).toEqual([
        'first:whatsapp',
      ]);
      expect(await store.getSend('a', 'second:whatsapp')).toMatchObject({
        status: 'sent',
        providerMessageId: 'wamid.late',
      });
    } finally {
      await slow.stop();
    }
  });

  it('puts a send back in line when the person cannot be checked (the writer recovering), and sends it later', async () => {
    const whatsapp = createWhatsAppAdapter({
      baseUrl: wa.baseUrl,
      phoneNumberId: wa.phoneNumberId,
      accessToken: wa.accessToken,
    });
    let recovering = true;
    const checking = new Dispatcher({
      outbox: store,
      clock: clock.now,
      logger: silentLogger,
      adapters: (_workspaceId, channel) => (channel === 'whatsapp' ? whatsapp : undefined),
      stillAllowed: async () => {
        if (recovering) throw new Error('Tailor is recovering from a storage fault');
        return null;
      },
      pollMs: 60_000,
    });
    try {
      await store.enqueueSends([
        { ...leftQueued('later:whatsapp', 'whatsapp'), status: 'pending', attempts: 0 },
      ]);
      await checking.start();
      await checking.drain();
      expect(await store.getSend('a', 'later:whatsapp')).toMatchObject({
        status: 'pending',
        nextAttemptAt: T0 + 1_000,
        lastError: expect.stringContaining('recovering'),
      });
      expect(wa.accepted()).toHaveLength(0);
      recovering = false;
      clock.advance(1_000);
      checking.wake();
      await checking.drain();
      expect(await store.getSend('a', 'later:whatsapp')).toMatchObject({ status: 'sent' });
      expect(wa.accepted()).toHaveLength(1);
    } finally {
      await checking.stop();
    }
  });
});
