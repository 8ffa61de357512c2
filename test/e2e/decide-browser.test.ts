import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverWebhook } from '../../src/activate/local/local-whatsapp.ts';
import { DEMO_WHATSAPP } from '../../src/cli/demo-providers.ts';
import { demoFeedback, demoStory } from '../../src/cli/demo-story.ts';
import { userToken } from '../../src/identity/user-token.ts';
import { eventually } from '../support/demo-tailor.ts';
import { type SpawnedTailor, spawnTailor, stopTailor } from '../support/spawn-tailor.ts';
import { tempDir } from '../support/test-tailor.ts';

const WRITE_KEY = 'wk_e2e_decide';
const ADMIN_KEY = 'ak_e2e_decide';
const ORIGIN = 'https://shop.example.in';
/** The demo workspace's identity-verification secret (`${TAILOR_SECRET_IDENTITY}`), which the shop's server signs user ids with. */
const IDENTITY_SECRET = 'e2e-identity-secret';
let tailor: SpawnedTailor;

beforeAll(async () => {
  tailor = await spawnTailor({
    dataDir: tempDir(),
    env: {
      TAILOR_WRITE_KEY: WRITE_KEY,
      TAILOR_ADMIN_KEY: ADMIN_KEY,
      TAILOR_SECRET_IDENTITY: IDENTITY_SECRET,
    },
  });
});
afterAll(async () => {
  expect(await stopTailor(tailor)).toBe(0);
});

/** `POST /v1/decide` as a page's script sends it: a "simple" request, so no CORS preflight. */
function decideFromBrowser(body: Record<string, unknown>): Promise<Response> {
  return fetch(`${tailor.url}/v1/decide`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', origin: ORIGIN },
    body: JSON.stringify({ writeKey: WRITE_KEY, ...body }),
  });
}

describe('/v1/decide called from a browser against the real server', () => {
  it('answers a text/plain request with the write key in the body, with CORS headers', async () => {
    const visitor = await decideFromBrowser({
      anonymousId: 'browser-visitor-1',
      placements: ['home_banner', 'offer_block'],
      context: { location: { city: 'Bangalore', country: 'IN' } },
    });
    expect(visitor.status).toBe(200);
    expect(visitor.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const answer = (await visitor.json()) as {
      profile_id: string | null;
      placements: Record<string, { variant: string | null; content: Record<string, unknown> | null }>;
    };
    expect(answer.profile_id).toBeNull();
    expect(answer.placements['home_banner']).toEqual({
      variant: 'bangalore',
      content: {
        title: 'Namma Bengaluru sale',
        body: 'Hi there, free same-day delivery across Bangalore this week',
      },
    });
    expect(answer.placements['offer_block']?.variant).toBe('default');

    // The demo person, once the detector's timer (the server's own clock) has set the risk.
    const sent = await fetch(`${tailor.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: ORIGIN },
      body: JSON.stringify({ writeKey: WRITE_KEY, batch: demoStory(Date.now()) }),
    });
    expect(sent.status).toBe(200);
    // Her WhatsApp replies come from the provider's signed webhook, never from a write key.
    for (const payload of demoFeedback(Date.now()))
      expect(
        (await deliverWebhook(`${tailor.url}/v1/webhooks/demo/whatsapp`, payload, DEMO_WHATSAPP.appSecret))
          .status,
      ).toBe(200);
    await eventually(async () => {
      const profile = await fetch(`${tailor.url}/v1/profiles/user_id:USR_4096`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      const view = (await profile.json()) as { risks?: Record<string, unknown> };
      return view.risks?.['checkout_abandonment'] === undefined ? undefined : true;
    }, 10_000);
    // The page of the logged-in person carries the identity token the shop's server made for her.
    const person = await decideFromBrowser({
      userId: 'USR_4096',
      userToken: userToken(IDENTITY_SECRET, 'USR_4096'),
      actions: true,
    });
    expect(person.status).toBe(200);
    expect(person.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const decision = (await person.json()) as { profile_id: string | null; action: Record<string, unknown> };
    expect(decision.profile_id).toMatch(/^prf_/);
    // The abandoned checkout already triggered the WhatsApp reminder on the server, and a decided
    // action counts as a contact: asking again must not pick the reminder a second time.
    expect(decision.action['context']).toMatchObject({ risk: 'checkout_abandonment', intent: 'high' });
    expect(decision.action['action']).not.toBe('send_personalized_checkout_reminder');
  });
});
