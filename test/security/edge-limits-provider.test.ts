import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LocalTwilio, startLocalTwilio } from '../../src/activate/local/local-twilio.ts';
import { fakeClock } from '../../src/clock.ts';
import { type ActivationTailor, openActivationTailor } from '../support/activation-tailor.ts';
import { tempDir } from '../support/test-tailor.ts';

/**
 * A verified provider callback is never refused for its text: what a person typed is kept, with
 * a NUL (which no PostgreSQL text or jsonb can hold) replaced by U+FFFD, so the reply is logged
 * and every later replay, rebuild and restart can still read it.
 */

const SMS_FROM = '+15005550006';

let dir: string;
let twilio: LocalTwilio;
let t: ActivationTailor;

beforeEach(async () => {
  dir = tempDir('tailor-provider-text-');
  twilio = await startLocalTwilio();
  t = await openActivationTailor({
    dir,
    clock: fakeClock('2026-03-10T06:00:00Z'),
    channels: () => ({
      sms: {
        base_url: twilio.url,
        account_sid: twilio.accountSid,
        auth_token: twilio.authToken,
        from: SMS_FROM,
      },
    }),
  });
});
afterEach(async () => {
  await t.close();
  await twilio.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('provider text', () => {
  it('keeps an inbound SMS holding a NUL, made storable', async () => {
    const reply = await twilio.sendInbound({
      url: `${t.url}/v1/webhooks/demo/twilio/inbound`,
      from: '+919845067890',
      to: SMS_FROM,
      body: 'hi\u0000there',
    });
    expect(reply.status, await reply.text()).toBe(200);
    await t.engine.commit();
    const logged = await t.store.readEvents({ afterSeq: 0, limit: 100, workspaceId: 'demo' });
    const event = logged.find((item) => item.event === 'Message Replied');
    expect(event?.properties['text']).toBe('hi\ufffdthere');
  });
});
