import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type LocalTwilio,
  postSignedTwilioForm,
  startLocalTwilio,
} from '../../src/activate/local/local-twilio.ts';
import {
  deliverWebhook,
  type LocalWhatsApp,
  startLocalWhatsApp,
  whatsAppStatusWebhook,
} from '../../src/activate/local/local-whatsapp.ts';
import type { SendRecord } from '../../src/activate/send-record.ts';
import { signTwilioRequest } from '../../src/activate/sms/twilio-webhook.ts';
import { type FakeClock, fakeClock } from '../../src/clock.ts';
import { type ActivationTailor, openActivationTailor } from '../support/activation-tailor.ts';
import { tempDir } from '../support/test-tailor.ts';

/** 11:30 in India: outside the demo's quiet hours. */
const NOW = Date.parse('2026-03-10T06:00:00Z');
const APP_SECRET = 'local-whatsapp-app-secret';
const RECIPIENT = '+919845012345';

let dir: string;
let clock: FakeClock;
let wa: LocalWhatsApp;
let twilio: LocalTwilio;
let t: ActivationTailor;

beforeEach(async () => {
  dir = tempDir('tailor-confirm-');
  clock = fakeClock(NOW);
  wa = await startLocalWhatsApp();
  twilio = await startLocalTwilio();
  t = await openActivationTailor({
    dir,
    clock,
    channels: () => ({
      whatsapp: {
        base_url: wa.baseUrl,
        phone_number_id: wa.phoneNumberId,
        access_token: wa.accessToken,
        app_secret: APP_SECRET,
        verify_token: 'local-whatsapp-verify-token',
      },
      sms: {
        base_url: twilio.url,
        account_sid: twilio.accountSid,
        auth_token: twilio.authToken,
        from: '+15005550006',
      },
    }),
  });
});
afterEach(async () => {
  await t.close();
  await Promise.all([wa.close(), twilio.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/** A send the dispatcher handed to its provider and has no answer for yet (as a crash leaves it). */
function inFlight(id: string, channel: 'whatsapp' | 'sms'): SendRecord {
  return {
    workspaceId: 'demo',
    id,
    profileId: 'prf_1',
    channel,
    to: RECIPIENT,
    content: { text: 'Hi' },
    action: 'send_personalized_checkout_reminder',
    decisionId: id.split(':')[0] ?? id,
    status: 'sending',
    attempts: 1,
    nextAttemptAt: NOW,
    createdAt: NOW,
    updatedAt: NOW,
  };
}

describe('provider status callbacks confirm sends in the outbox', () => {
  it('marks a WhatsApp send sent from a signed status naming it; a forged one changes nothing', async () => {
    await t.store.enqueueSends([
      inFlight('dec-1:whatsapp', 'whatsapp'),
      inFlight('dec-2:whatsapp', 'whatsapp'),
    ]);
    const url = `${t.url}/v1/webhooks/demo/whatsapp`;
    const status = (wamid: string, callbackData: string) =>
      whatsAppStatusWebhook({ wamid, status: 'sent', recipient: RECIPIENT, timestamp: NOW, callbackData });

    const forged = await deliverWebhook(url, status('wamid.forged', 'dec-2:whatsapp'), 'not-the-app-secret');
    expect(forged.status).toBe(401);
    expect(await t.store.getSend('demo', 'dec-2:whatsapp')).toEqual(inFlight('dec-2:whatsapp', 'whatsapp'));

    clock.advance(1_000);
    const signed = await deliverWebhook(url, status('wamid.real', 'dec-1:whatsapp'), APP_SECRET);
    expect(signed.status).toBe(200);
    expect(await t.store.getSend('demo', 'dec-1:whatsapp')).toEqual({
      ...inFlight('dec-1:whatsapp', 'whatsapp'),
      status: 'sent',
      providerMessageId: 'wamid.real',
      updatedAt: NOW + 1_000,
    });
    // Meta's redelivery of the same status, or a later one, leaves the confirmation as it is.
    const again = await deliverWebhook(url, status('wamid.other', 'dec-1:whatsapp'), APP_SECRET);
    expect(again.status).toBe(200);
    expect((await t.store.getSend('demo', 'dec-1:whatsapp'))?.providerMessageId).toBe('wamid.real');
    expect((await t.store.getSend('demo', 'dec-2:whatsapp'))?.status).toBe('sending');
    // The confirmation is recorded like the dispatcher records an answer: `Message Sent` for the send.
    await t.engine.commit();
    const events = await t.store.readEvents({ afterSeq: 0, limit: 100, workspaceId: 'demo' });
    expect(events.filter((event) => event.messageId === 'sent-dec-1:whatsapp')).toHaveLength(1);
  });

  it('marks an SMS send sent from a signed Twilio status callback carrying send_id; a forged one changes nothing', async () => {
    await t.store.enqueueSends([inFlight('dec-3:sms', 'sms'), inFlight('dec-4:sms', 'sms')]);
    const params = (sid: string) => ({
      AccountSid: twilio.accountSid,
      MessageSid: sid,
      MessageStatus: 'sent',
      To: RECIPIENT,
      From: '+15005550006',
    });
    const callback = (sendId: string) =>
      `${t.url}/v1/webhooks/demo/twilio/status?send_id=${encodeURIComponent(sendId)}`;

    const forged = await postSignedTwilioForm({
      url: callback('dec-4:sms'),
      params: params('SMforged'),
      authToken: 'not-the-auth-token',
    });
    expect(forged.status).toBe(401);
    // Signed for one send, posted as another's: the signature covers the query string.
    const moved = await fetch(callback('dec-4:sms'), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signTwilioRequest({
          url: callback('dec-3:sms'),
          params: params('SMmoved'),
          authToken: twilio.authToken,
        }),
      },
      body: new URLSearchParams(params('SMmoved')).toString(),
    });
    expect(moved.status).toBe(401);
    expect(await t.store.getSend('demo', 'dec-4:sms')).toEqual(inFlight('dec-4:sms', 'sms'));

    const signed = await postSignedTwilioForm({
      url: callback('dec-3:sms'),
      params: params('SMreal'),
      authToken: twilio.authToken,
    });
    expect(signed.status).toBe(200);
    expect((await t.store.getSend('demo', 'dec-3:sms'))?.providerMessageId).toBe('SMreal');
    expect((await t.store.getSend('demo', 'dec-3:sms'))?.status).toBe('sent');
    expect(await t.store.getSend('demo', 'dec-4:sms')).toEqual(inFlight('dec-4:sms', 'sms'));
  });
});
