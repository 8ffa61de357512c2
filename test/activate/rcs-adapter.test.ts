import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../src/activate/channel.ts';
import {
  type LocalTwilio,
  postSignedTwilioForm,
  startLocalTwilio,
} from '../../src/activate/local/local-twilio.ts';
import type { SendRecord } from '../../src/activate/send-record.ts';
import { createTwilioAdapter } from '../../src/activate/sms/twilio-adapter.ts';
import { readTwilioInbound, readTwilioStatus } from '../../src/activate/sms/twilio-webhook.ts';
import { fakeClock } from '../../src/clock.ts';
import { normalizeCall } from '../../src/ingest/normalize-call.ts';
import { openActivationTailor } from '../support/activation-tailor.ts';
import { tempDir } from '../support/test-tailor.ts';
import { channelContract } from './channel-contract.ts';

const MEERA = '+14155552671';
const SERVICE = 'MG00000000000000000000000000000001';
const FALLBACK = '+12025550143';
const AGENT = 'tailor_demo_agent';

function rcsMessage(id: string, text: string, to = MEERA): OutboundMessage {
  return { id, channel: 'rcs', to, content: { text }, profileId: 'prof-meera', action: 'annual-plan' };
}

async function rcsAdapter(twilio: LocalTwilio, statusCallbackUrl?: string) {
  return createTwilioAdapter({
    channel: 'rcs',
    baseUrl: twilio.url,
    accountSid: twilio.accountSid,
    authToken: twilio.authToken,
    messagingServiceSid: SERVICE,
    fallbackFrom: FALLBACK,
    ...(statusCallbackUrl === undefined ? {} : { statusCallbackUrl }),
  });
}

channelContract('rcs', async () => {
  const provider = await startLocalTwilio({ rcs: { senderId: AGENT } });
  return {
    adapter: await rcsAdapter(provider),
    provider,
    message: (id, text) => rcsMessage(id, text),
    idempotent: false,
  };
});

describe('RCS through Twilio', () => {
  let twilio: LocalTwilio | undefined;
  afterEach(async () => {
    await twilio?.close();
    twilio = undefined;
  });

  it('sends through the RCS Messaging Service with FallbackFrom, never a From, and names the send and channel in the callback URL', async () => {
    twilio = await startLocalTwilio({ rcs: { senderId: AGENT } });
    const adapter = await rcsAdapter(twilio, 'https://tailor.example.com/v1/webhooks/demo/twilio/status');
    expect(adapter.channel).toBe('rcs');
    expect(await adapter.send(rcsMessage('dec-1:rcs', 'Your plan is waiting'))).toMatchObject({
      kind: 'sent',
    });
    const [sent] = twilio.messages();
    expect(sent?.params).toEqual({
      To: MEERA,
      Body: 'Your plan is waiting',
      MessagingServiceSid: SERVICE,
      FallbackFrom: FALLBACK,
      StatusCallback:
        'https://tailor.example.com/v1/webhooks/demo/twilio/status?send_id=dec-1%3Arcs&channel=rcs',
    });
    expect(sent?.transport).toBe('rcs');
  });

  it('is refused as a plain failure (not the number’s fault) when the service has no RCS sender', async () => {
    twilio = await startLocalTwilio();
    const outcome = await (await rcsAdapter(twilio)).send(rcsMessage('dec-2:rcs', 'hello'));
    expect(outcome).toMatchObject({ kind: 'failed', unreachable: false });
    if (outcome.kind === 'failed') expect(outcome.reason).toMatch(/21667/);
  });

  it('reads delivery and read callbacks like SMS ones, saying whether RCS or the SMS fallback carried it', () => {
    const base = { AccountSid: 'AC1', MessageSid: 'SM1', From: `rcs:${AGENT}`, To: `rcs:${MEERA}` };
    const [delivered] = readTwilioStatus({ ...base, MessageStatus: 'delivered' }, 1_000, 'rcs');
    expect(delivered).toMatchObject({
      event: 'Message Delivered',
      identifier: { type: 'phone', value: MEERA },
      properties: { channel: 'rcs', transport: 'rcs', provider_message_id: 'SM1' },
      messageId: 'SM1:delivered',
    });
    const [read] = readTwilioStatus({ ...base, MessageStatus: 'read' }, 1_000, 'rcs');
    expect(read).toMatchObject({ event: 'Message Read', properties: { channel: 'rcs' } });
    const [fellBack] = readTwilioStatus(
      { ...base, From: FALLBACK, To: MEERA, MessageStatus: 'delivered' },
      1_000,
      'rcs',
    );
    expect(fellBack?.properties).toMatchObject({ channel: 'rcs', transport: 'sms' });
    // A plain SMS callback is still SMS, without a transport.
    const [sms] = readTwilioStatus({ ...base, From: FALLBACK, To: MEERA, MessageStatus: 'sent' }, 1_000);
    expect(sms?.properties).toEqual({ channel: 'sms', provider_message_id: 'SM1', status: 'sent' });
    const [reply] = readTwilioInbound({
      MessageSid: 'SM2',
      From: `rcs:${MEERA}`,
      To: `rcs:${AGENT}`,
      Body: 'Yes!',
    });
    expect(reply).toMatchObject({
      event: 'Message Replied',
      identifier: { type: 'phone', value: MEERA },
      properties: { channel: 'rcs', text: 'Yes!' },
    });
  });

  it('end to end: the outbox sends on rcs, and signed delivery and read callbacks land on the person as rcs feedback', async () => {
    const dir = tempDir('tailor-rcs-');
    const now = Date.parse('2026-03-10T06:00:00Z');
    twilio = await startLocalTwilio({ rcs: { senderId: AGENT } });
    const provider = twilio;
    const t = await openActivationTailor({
      dir,
      clock: fakeClock(now),
      channels: () => ({
        rcs: {
          base_url: provider.url,
          account_sid: provider.accountSid,
          auth_token: provider.authToken,
          messaging_service_sid: SERVICE,
          fallback_from: FALLBACK,
        },
      }),
    });
    try {
      const { events: identify } = normalizeCall({
        body: { userId: 'meera', traits: { phone: MEERA } },
        call: 'identify',
        receivedAt: now,
      });
      await t.engine.ingest('demo', identify);
      await t.engine.commit();
      const profile = await t.engine.reads.peekProfile('demo', [`phone:${MEERA}`]);
      const send: SendRecord = {
        workspaceId: 'demo',
        id: 'dec-9:rcs',
        profileId: profile?.id ?? '',
        channel: 'rcs',
        to: MEERA,
        content: { text: 'Your checkout is waiting' },
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      };
      await t.store.enqueueSends([send]);
      for (let i = 0; i < 200 && provider.messages().length === 0; i += 1)
        await new Promise((r) => setTimeout(r, 10));
      const [message] = provider.messages();
      expect(message?.params['MessagingServiceSid']).toBe(SERVICE);
      const callback = `${t.url}/v1/webhooks/demo/twilio/status?send_id=dec-9%3Arcs&channel=rcs`;
      for (const status of ['delivered', 'read'] as const) {
        const answer = await provider.reportStatus({ sid: message?.sid ?? '', status, url: callback });
        expect(answer.status).toBe(200);
      }
      const forged = await postSignedTwilioForm({
        url: callback,
        params: {
          AccountSid: provider.accountSid,
          MessageSid: 'SMforged',
          MessageStatus: 'read',
          To: `rcs:${MEERA}`,
        },
        authToken: 'not-the-auth-token',
      });
      expect(forged.status).toBe(401);
      await t.engine.commit();
      const events = await t.store.readEvents({ afterSeq: 0, limit: 100, workspaceId: 'demo' });
      const feedback = events.filter((event) => event.properties.provider_message_id === message?.sid);
      expect(feedback.map((event) => event.event).sort()).toEqual([
        'Message Delivered',
        'Message Read',
        'Message Sent',
      ]);
      expect(feedback.every((event) => event.properties.channel === 'rcs')).toBe(true);
    } finally {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
