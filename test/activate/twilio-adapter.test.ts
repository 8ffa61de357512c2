import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FeedbackEvent, OutboundMessage, SendConfirmation } from '../../src/activate/channel.ts';
import { type LocalTwilio, startLocalTwilio } from '../../src/activate/local/local-twilio.ts';
import { createTwilioAdapter } from '../../src/activate/sms/twilio-adapter.ts';
import {
  readTwilioInbound,
  readTwilioSendConfirmation,
  readTwilioStatus,
  signTwilioRequest,
  type TwilioParams,
  verifyTwilioSignature,
} from '../../src/activate/sms/twilio-webhook.ts';
import type { TailorEvent } from '../../src/ingest/event.ts';
import { applyConsent } from '../../src/profile/consent.ts';
import type { ConsentState } from '../../src/profile/profile.ts';
import { channelContract } from './channel-contract.ts';

const MEERA = '+14155552671';
const SENDER = '+12025550143';

function smsMessage(id: string, text: string, to = MEERA): OutboundMessage {
  return { id, channel: 'sms', to, content: { text }, profileId: 'prof-meera', action: 'annual-plan' };
}

channelContract('sms', async () => {
  const provider = await startLocalTwilio();
  const adapter = createTwilioAdapter({
    baseUrl: provider.url,
    accountSid: provider.accountSid,
    authToken: provider.authToken,
    from: SENDER,
  });
  return { adapter, provider, message: (id, text) => smsMessage(id, text), idempotent: false };
});

describe('Twilio adapter', () => {
  let twilio: LocalTwilio | undefined;
  afterEach(async () => {
    await twilio?.close();
    twilio = undefined;
  });

  async function start(options: { messagingServiceSid?: string; authToken?: string } = {}) {
    const server = await startLocalTwilio();
    twilio = server;
    const adapter = createTwilioAdapter({
      baseUrl: server.url,
      accountSid: server.accountSid,
      authToken: options.authToken ?? server.authToken,
      ...(options.messagingServiceSid === undefined
        ? { from: SENDER }
        : { messagingServiceSid: options.messagingServiceSid }),
      statusCallbackUrl: 'https://tailor.example.com/webhooks/twilio/status',
    });
    return { server, adapter };
  }

  it('sends form-encoded To, From, Body and StatusCallback, and returns the SM sid', async () => {
    const { server, adapter } = await start();
    const text = 'Hi Meera & co: 20% off = today only?';
    const outcome = await adapter.send(smsMessage('dec-1-sms', text));
    const [message] = server.messages();
    expect(outcome).toEqual({ kind: 'sent', providerMessageId: message?.sid });
    expect(message?.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message?.params).toEqual({
      To: MEERA,
      From: SENDER,
      Body: text,
      StatusCallback: 'https://tailor.example.com/webhooks/twilio/status?send_id=dec-1-sms',
    });
    expect(adapter.confirmsByCallback).toBe(true);
  });

  it('sends through a Messaging Service instead of a From number when one is set', async () => {
    const { server, adapter } = await start({ messagingServiceSid: 'MG00000000000000000000000000000001' });
    expect((await adapter.send(smsMessage('dec-ms', 'via service'))).kind).toBe('sent');
    expect(server.messages()[0]?.messagingServiceSid).toBe('MG00000000000000000000000000000001');
    expect(server.messages()[0]?.from).toBeUndefined();
  });

  it('fails without unreachable on an auth failure, and never shows the token', async () => {
    const { server, adapter } = await start({ authToken: 'wrong-secret-token' });
    const outcome = await adapter.send(smsMessage('dec-auth', 'hello'));
    expect(outcome).toMatchObject({ kind: 'failed', unreachable: false });
    if (outcome.kind === 'failed') {
      expect(outcome.reason).toContain('20003');
      expect(outcome.reason).not.toContain('wrong-secret-token');
    }
    expect(server.accepted()).toHaveLength(0);
  });

  it('marks the number unreachable when the person opted out (21610), saying so', async () => {
    const { server, adapter } = await start();
    server.failNext({ kind: 'unsubscribed' });
    const outcome = await adapter.send(smsMessage('dec-stop', 'hello'));
    expect(outcome).toMatchObject({ kind: 'failed', unreachable: true });
    if (outcome.kind === 'failed') expect(outcome.reason).toMatch(/opted out.*21610/);
  });

  it('marks a landline unreachable (21614) and other refusals failed only', async () => {
    const { server, adapter } = await start();
    server.failNext({ kind: 'not-mobile' });
    expect(await adapter.send(smsMessage('dec-landline', 'hello'))).toMatchObject({
      kind: 'failed',
      unreachable: true,
    });
    server.failNext({ kind: 'permission-denied' });
    expect(await adapter.send(smsMessage('dec-perm', 'hello'))).toMatchObject({
      kind: 'failed',
      unreachable: false,
    });
  });

  it('reads a number Twilio rejects as invalid (21211) as unreachable', async () => {
    const { adapter } = await start();
    const outcome = await adapter.send(smsMessage('dec-bad', 'hello', '4155552671'));
    expect(outcome).toMatchObject({ kind: 'failed', unreachable: true });
  });

  it('fails content without text without calling Twilio', async () => {
    const { server, adapter } = await start();
    const message: OutboundMessage = { ...smsMessage('dec-empty', ''), content: {} };
    expect(await adapter.send(message)).toMatchObject({ kind: 'failed', unreachable: false });
    expect(server.accepted()).toHaveLength(0);
  });

  it('retries when Twilio does not answer in time', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const adapter = createTwilioAdapter({
      baseUrl: `http://127.0.0.1:${port}`,
      accountSid: 'AC1',
      authToken: 'token',
      from: SENDER,
      timeoutMs: 100,
    });
    const outcome = await adapter.send(smsMessage('dec-slow', 'hello'));
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    expect(outcome).toMatchObject({ kind: 'retry', reason: 'Twilio unreachable: timed out' });
  });

  it('needs a From number or a Messaging Service', () => {
    expect(() => createTwilioAdapter({ accountSid: 'AC1', authToken: 'token' })).toThrow(/from/);
  });
});

describe('Twilio webhook signatures', () => {
  const authToken = '12345';
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params: TwilioParams = {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+12349013030',
    Digits: '1234',
    From: '+12349013030',
    To: '+18005551212',
  };

  it("matches Twilio's documented example signature", () => {
    expect(signTwilioRequest({ url, params, authToken })).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
    expect(verifyTwilioSignature({ url, params, header: '0/KCTR6DLpKmkAf8muzZqo1nDgQ=', authToken })).toBe(
      true,
    );
  });

  it('sorts parameters by name whatever order they arrived in', () => {
    const shuffled: TwilioParams = {
      To: '+18005551212',
      Digits: '1234',
      From: '+12349013030',
      CallSid: 'CA1234567890ABCDE',
      Caller: '+12349013030',
    };
    const header = signTwilioRequest({ url, params, authToken });
    expect(verifyTwilioSignature({ url, params: shuffled, header, authToken })).toBe(true);
  });

  it('rejects a forged, tampered, re-addressed or missing signature', () => {
    const header = signTwilioRequest({ url, params, authToken });
    expect(verifyTwilioSignature({ url, params, header, authToken: 'other-token' })).toBe(false);
    expect(verifyTwilioSignature({ url, params: { ...params, Digits: '9999' }, header, authToken })).toBe(
      false,
    );
    expect(verifyTwilioSignature({ url: `${url}&baz=3`, params, header, authToken })).toBe(false);
    expect(verifyTwilioSignature({ url, params, header: 'AAAA', authToken })).toBe(false);
    expect(verifyTwilioSignature({ url, params, header: undefined, authToken })).toBe(false);
  });
});

describe('Twilio status callbacks and inbound messages', () => {
  const now = Date.parse('2026-03-01T10:00:00Z');

  it('maps sent, delivered, undelivered and failed; ignores queued', () => {
    const status = (MessageStatus: string, extra: TwilioParams = {}): FeedbackEvent[] =>
      readTwilioStatus({ MessageSid: 'SM1', MessageStatus, To: MEERA, From: SENDER, ...extra }, now);
    expect(status('queued')).toEqual([]);
    expect(status('sent')).toEqual([
      {
        event: 'Message Sent',
        timestamp: now,
        identifier: { type: 'phone', value: MEERA },
        properties: { channel: 'sms', provider_message_id: 'SM1', status: 'sent' },
        messageId: 'SM1:sent',
      },
    ]);
    expect(status('delivered')[0]?.event).toBe('Message Delivered');
    expect(status('undelivered', { ErrorCode: '30003' })[0]).toMatchObject({
      event: 'Message Failed',
      properties: { reason: 'twilio 30003', error_code: '30003' },
      messageId: 'SM1:undelivered',
    });
    expect(status('failed')[0]).toMatchObject({ event: 'Message Failed', properties: { reason: 'failed' } });
  });

  it('reads STOP keywords as Unsubscribed, START keywords as Subscribed, anything else as a reply', () => {
    const inbound = (Body: string): FeedbackEvent | undefined =>
      readTwilioInbound({ MessageSid: 'SM9', From: '+1 (415) 555-2671', To: SENDER, Body }, now)[0];
    for (const word of ['STOP', ' stop ', 'StopAll', 'UNSUBSCRIBE', 'cancel', 'END', 'quit']) {
      expect(inbound(word)).toMatchObject({ event: 'Unsubscribed', properties: { channel: 'sms' } });
    }
    for (const word of ['START', 'yes', 'Unstop']) {
      expect(inbound(word)).toMatchObject({ event: 'Subscribed', properties: { channel: 'sms' } });
    }
    expect(inbound('Please stop sending these')).toEqual({
      event: 'Message Replied',
      timestamp: now,
      identifier: { type: 'phone', value: MEERA },
      properties: { channel: 'sms', provider_message_id: 'SM9', text: 'Please stop sending these' },
      messageId: 'SM9',
    });
  });

  it('gives nothing for a sender that is not a phone number', () => {
    expect(readTwilioInbound({ MessageSid: 'SM9', From: 'not-a-number', To: SENDER, Body: 'hi' })).toEqual(
      [],
    );
  });

  it('changes SMS consent through applyConsent', () => {
    const consent: Record<string, ConsentState> = {};
    const apply = (event: FeedbackEvent): void => applyConsent(consent, toTrack(event));
    const stop = readTwilioInbound({ MessageSid: 'SM1', From: MEERA, To: SENDER, Body: 'STOP' }, now);
    stop.forEach(apply);
    expect(consent['sms']).toEqual({ granted: false, at: now, source: 'Unsubscribed' });
    const start = readTwilioInbound(
      { MessageSid: 'SM2', From: MEERA, To: SENDER, Body: 'START' },
      now + 1000,
    );
    start.forEach(apply);
    expect(consent['sms']).toEqual({ granted: true, at: now + 1000, source: 'Subscribed' });
  });

  it('accepts signed callbacks from the local Twilio end to end', async () => {
    const server = await startLocalTwilio();
    const received: FeedbackEvent[] = [];
    const confirmed: SendConfirmation[] = [];
    const receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
        const header = request.headers['x-twilio-signature'];
        const url = `${receiverUrl}${request.url ?? ''}`;
        const valid = verifyTwilioSignature({
          url,
          params,
          header: typeof header === 'string' ? header : undefined,
          authToken: server.authToken,
        });
        if (!valid) {
          response.writeHead(403).end();
          return;
        }
        const { pathname, searchParams } = new URL(request.url ?? '/', receiverUrl);
        const events =
          pathname === '/status' ? readTwilioStatus(params, now) : readTwilioInbound(params, now);
        received.push(...events);
        const confirmation = readTwilioSendConfirmation({ params, sendId: searchParams.get('send_id') });
        if (confirmation !== undefined) confirmed.push(confirmation);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    try {
      const adapter = createTwilioAdapter({
        baseUrl: server.url,
        accountSid: server.accountSid,
        authToken: server.authToken,
        from: SENDER,
        statusCallbackUrl: `${receiverUrl}/status`,
      });
      const outcome = await adapter.send(smsMessage('dec-e2e', 'hello'));
      if (outcome.kind !== 'sent') throw new Error('not sent');
      expect(
        (await server.reportStatus({ sid: outcome.providerMessageId, status: 'delivered' })).status,
      ).toBe(204);
      const reply = await server.sendInbound({
        url: `${receiverUrl}/inbound`,
        from: MEERA,
        to: SENDER,
        body: 'Stop',
      });
      expect(reply.status).toBe(204);
      expect(received.map((event) => event.event)).toEqual(['Message Delivered', 'Unsubscribed']);
      expect(received[0]?.properties['provider_message_id']).toBe(outcome.providerMessageId);
      // The status callback names the send: Tailor's outbox can confirm it from that alone.
      expect(confirmed).toEqual([{ sendId: 'dec-e2e', providerMessageId: outcome.providerMessageId }]);
    } finally {
      receiver.closeAllConnections();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
      await server.close();
    }
  });
});

/** A feedback event as the track event the pipeline would log for it. */
function toTrack(feedback: FeedbackEvent): TailorEvent {
  return {
    type: 'track',
    messageId: feedback.messageId,
    timestamp: feedback.timestamp,
    receivedAt: feedback.timestamp,
    event: feedback.event,
    properties: feedback.properties,
    traits: {},
    context: {},
    integrations: {},
  };
}
