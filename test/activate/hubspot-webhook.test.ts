import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hubSpotSignedUri, signHubSpotRequest } from '../../src/activate/hubspot/hubspot-webhook.ts';
import {
  deliverHubSpotWebhook,
  hubSpotPropertyChanges,
  LOCAL_HUBSPOT_PORTAL_ID,
} from '../../src/activate/local/local-hubspot.ts';
import { type FakeClock, fakeClock } from '../../src/clock.ts';
import { type ActivationTailor, openActivationTailor } from '../support/activation-tailor.ts';
import { tempDir } from '../support/test-tailor.ts';

const NOW = Date.parse('2026-03-10T06:00:00Z');
const CLIENT_SECRET = 'local-hubspot-client-secret';

let dir: string;
let clock: FakeClock;
let t: ActivationTailor;
let url: string;

beforeEach(async () => {
  dir = tempDir('tailor-hubspot-');
  clock = fakeClock(NOW);
  t = await openActivationTailor({
    dir,
    clock,
    channels: () => ({
      hubspot: {
        base_url: 'http://127.0.0.1:9',
        client_secret: CLIENT_SECRET,
        properties: { first_name: 'firstname', plan: 'plan_tier' },
      },
    }),
  });
  url = `${t.url}/v1/webhooks/demo/hubspot`;
});
afterEach(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

interface ProfileReply {
  identifiers: Record<string, string[]>;
  traits: Record<string, unknown>;
}

async function profile(ref: string): Promise<ProfileReply> {
  await t.engine.commit();
  const reply = await t.app.inject({
    url: `/v1/profiles/${ref}`,
    headers: { authorization: `Bearer ${t.adminKey}` },
  });
  return reply.json();
}

async function eventCount(): Promise<number> {
  await t.engine.commit();
  return (await t.store.readEvents({ afterSeq: 0, limit: 10_000, workspaceId: 'demo' })).length;
}

const changes = hubSpotPropertyChanges([
  {
    eventId: 1,
    objectId: 501,
    propertyName: 'email',
    propertyValue: 'Meera@Example.com',
    occurredAt: NOW - 2_000,
  },
  { eventId: 2, objectId: 501, propertyName: 'firstname', propertyValue: 'Meera', occurredAt: NOW - 1_000 },
  {
    eventId: 3,
    objectId: 501,
    propertyName: 'hs_lead_status',
    propertyValue: 'OPEN',
    occurredAt: NOW - 1_000,
  },
]);

describe('HubSpot contact webhooks', () => {
  it('turn mapped property changes into identify calls on the person HubSpot’s contact id and email lead to', async () => {
    // Known already by email, as a CSV import or a sign-up leaves a person.
    await t.app.inject({
      method: 'POST',
      url: '/v1/identify',
      headers: { authorization: `Basic ${Buffer.from(`${t.writeKey}:`).toString('base64')}` },
      payload: { userId: 'USR_7', traits: { email: 'meera@example.com' } },
    });
    const answer = await deliverHubSpotWebhook({
      url,
      body: changes,
      clientSecret: CLIENT_SECRET,
      timestamp: NOW,
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ received: 2 });
    const meera = await profile('hubspot_id:501');
    expect(meera.identifiers).toMatchObject({ user_id: ['USR_7'], hubspot_id: ['501'] });
    expect(meera.traits).toMatchObject({ email: 'meera@example.com', first_name: 'Meera' });
    // Properties the workspace does not map stay in HubSpot.
    expect(meera.traits).not.toHaveProperty('hs_lead_status');
  });

  it('refuses what an attacker can send: no signature, another secret, a changed body, another URL, a stale or future timestamp', async () => {
    const before = await eventCount();
    const body = JSON.stringify(changes);
    const timestamp = String(NOW);
    const signed = (over: Partial<{ uri: string; body: string; timestamp: string; secret: string }>) =>
      signHubSpotRequest({
        method: 'POST',
        uri: over.uri ?? url,
        body: over.body ?? body,
        timestamp: over.timestamp ?? timestamp,
        clientSecret: over.secret ?? CLIENT_SECRET,
      });
    const post = (headers: Record<string, string>, payload = body, target = url) =>
      fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: payload,
      });
    const attempts: [string, Promise<Response>][] = [
      ['unsigned', post({})],
      ['no timestamp', post({ 'x-hubspot-signature-v3': signed({}) })],
      [
        'another secret',
        post({
          'x-hubspot-signature-v3': signed({ secret: 'guessed' }),
          'x-hubspot-request-timestamp': timestamp,
        }),
      ],
      [
        'a changed body',
        post(
          { 'x-hubspot-signature-v3': signed({}), 'x-hubspot-request-timestamp': timestamp },
          body.replace('Meera', 'Mallory'),
        ),
      ],
      [
        'signed for another workspace',
        post({
          'x-hubspot-signature-v3': signed({ uri: `${t.url}/v1/webhooks/other/hubspot` }),
          'x-hubspot-request-timestamp': timestamp,
        }),
      ],
      [
        'the timestamp changed after signing',
        post({ 'x-hubspot-signature-v3': signed({}), 'x-hubspot-request-timestamp': String(NOW + 1) }),
      ],
      [
        'the v1 signature only',
        post({ 'x-hubspot-signature': 'a'.repeat(64), 'x-hubspot-signature-version': 'v1' }),
      ],
    ];
    for (const [what, attempt] of attempts) {
      const answer = await attempt;
      expect(answer.status, what).toBe(401);
      expect(((await answer.json()) as { code: string }).code, what).toBe('INVALID_SIGNATURE');
    }
    for (const skew of [-5 * 60_000 - 1, 5 * 60_000 + 1]) {
      const stale = await deliverHubSpotWebhook({
        url,
        body: changes,
        clientSecret: CLIENT_SECRET,
        timestamp: NOW + skew,
      });
      expect(stale.status).toBe(401);
      expect(((await stale.json()) as { message: string }).message).toMatch(/more than 5 minutes/);
    }
    // The write key opens nothing here either.
    const withWriteKey = await post({
      authorization: `Basic ${Buffer.from(`${t.writeKey}:`).toString('base64')}`,
    });
    expect(withWriteKey.status).toBe(401);
    expect(await eventCount()).toBe(before);
  });

  it('stores a replayed delivery once, and a delivery just inside the five minutes is taken', async () => {
    const first = await deliverHubSpotWebhook({
      url,
      body: changes,
      clientSecret: CLIENT_SECRET,
      timestamp: NOW - 4 * 60_000,
    });
    expect(first.status).toBe(200);
    const after = await eventCount();
    clock.advance(30_000);
    const replay = await deliverHubSpotWebhook({
      url,
      body: changes,
      clientSecret: CLIENT_SECRET,
      timestamp: NOW,
    });
    expect(replay.status).toBe(200);
    expect(await eventCount()).toBe(after);
    const events = await t.store.readEvents({ afterSeq: 0, limit: 100, workspaceId: 'demo' });
    expect(events.filter((event) => event.messageId === `hubspot-${LOCAL_HUBSPOT_PORTAL_ID}-2`)).toHaveLength(
      1,
    );
  });

  it('signs the URI with HubSpot’s decoded characters, so a query with escapes still verifies', () => {
    expect(hubSpotSignedUri('https://t.example.com/v1/webhooks/a%3Ab/hubspot?x=%2F%40%20')).toBe(
      'https://t.example.com/v1/webhooks/a:b/hubspot?x=/@%20',
    );
  });
});
