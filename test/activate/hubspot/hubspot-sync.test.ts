import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LocalHubSpot, startLocalHubSpot } from '../../../src/activate/local/local-hubspot.ts';
import { DEMO_NETWORK_POLICY } from '../../../src/app/settings.ts';
import { parseWorkspaceYaml } from '../../../src/workspace/load-workspace.ts';
import { tempDir } from '../../support/test-tailor.ts';
import { thrownTailorError } from '../../support/thrown.ts';
import { type AdsTailor, openAdsTailor, until } from '../ads/ads-tailor.ts';

const PEOPLE = 300;
const emailOf = (i: number) => `person.${i}@example.com`;

let dir: string;
let hubspot: LocalHubSpot;
let t: AdsTailor;

beforeEach(async () => {
  dir = tempDir('tailor-hubspot-sync-');
  hubspot = await startLocalHubSpot();
  t = await openAdsTailor({
    dir,
    yaml: `
workspace:
  id: shop
  name: Shop
computed_traits:
  - key: orders
    aggregate: count
    events: [Order Completed]
scores:
  - key: intent
    half_life: 7d
    max: 100
    rules:
      - event: Pricing Viewed
        points: 15
lifecycle:
  stages:
    - key: customer
      when: { computed.orders: { $gte: 1 } }
    - key: lead
      when: { identifiers.email: { $exists: true } }
    - key: visitor
channels:
  hubspot:
    base_url: ${hubspot.baseUrl}
    client_secret: local-hubspot-client-secret
    access_token: ${hubspot.accessToken}
    contact_properties:
      traits.first_name: firstname
      computed.orders: tailor_orders
      scores.intent: tailor_intent
      lifecycle_stage: tailor_stage
`,
  });
});

afterEach(async () => {
  await t.close();
  await hubspot.close();
  rmSync(dir, { recursive: true, force: true });
});

/** How many upserts HubSpot took for a person. */
const upsertsOf = (email: string) => hubspot.accepted().filter((change) => change.to === email).length;

describe('HubSpot contacts out', () => {
  it('refuses a mapped computed trait or score the workspace does not have', () => {
    const text = `workspace: { id: shop, name: Shop }
computed_traits:
  - { key: orders, aggregate: count, events: [Order Completed] }
channels:
  hubspot:
    base_url: ${hubspot.baseUrl}
    client_secret: local-hubspot-client-secret
    access_token: ${hubspot.accessToken}
    contact_properties: { computed.order: tailor_orders, scores.intent: tailor_intent }
`;
    const error = thrownTailorError(() => parseWorkspaceYaml({ text, network: DEMO_NETWORK_POLICY }));
    expect(error.details.map((detail) => detail.message)).toEqual([
      'no computed trait `order` in this workspace: did you mean `computed.orders`?',
      'no score `intent` in this workspace',
    ]);
  });

  it('upserts each person once by email, in batches, and again only when a mapped value changes', async () => {
    await t.identify(
      Array.from({ length: PEOPLE }, (_, i) => ({
        userId: `u${i}`,
        traits: { email: emailOf(i), first_name: `Person ${i}` },
      })),
    );
    await until(() => hubspot.contacts().size === PEOPLE);
    expect(hubspot.contacts().get(emailOf(0))?.properties).toMatchObject({
      firstname: 'Person 0',
      tailor_orders: '0',
      tailor_intent: '0',
      tailor_stage: 'lead',
    });
    const requests = hubspot.requests();
    expect(requests.every((request) => request.status === 200 && request.inputs <= 100)).toBe(true);
    expect(requests.reduce((sum, request) => sum + request.inputs, 0)).toBe(PEOPLE);

    // An unmapped trait changes nothing HubSpot holds: no upsert. Mapped values do.
    await t.identify([{ userId: 'u0', traits: { plan: 'pro' } }]);
    await t.identify([{ userId: 'u1', traits: { first_name: 'Meera' } }]);
    await t.track([
      { userId: 'u2', event: 'Order Completed', properties: { total: 1499 } },
      { userId: 'u3', event: 'Pricing Viewed' },
    ]);
    await until(
      () =>
        hubspot.contacts().get(emailOf(1))?.properties.firstname === 'Meera' &&
        hubspot.contacts().get(emailOf(2))?.properties.tailor_stage === 'customer' &&
        hubspot.contacts().get(emailOf(3))?.properties.tailor_intent === '15',
    );
    expect(hubspot.contacts().get(emailOf(2))?.properties.tailor_orders).toBe('1');
    expect(upsertsOf(emailOf(0))).toBe(1);
    expect(upsertsOf(emailOf(1))).toBe(2);
    expect(upsertsOf(emailOf(4))).toBe(1);
    await until(async () =>
      (await t.store.sendCountsByTrigger('shop', 'crm:')).every((count) => count.status === 'sent'),
    );
    expect(await t.store.sendCountsByTrigger('shop', 'crm:')).toEqual([
      { trigger: 'crm:hubspot', status: 'sent', count: PEOPLE + 3 },
    ]);
  }, 30_000);

  it('sends the values the person has when the upsert goes, so a retried older change never wins', async () => {
    await t.identify([{ userId: 'u0', traits: { email: emailOf(0), first_name: 'Old' } }]);
    await until(() => hubspot.contacts().get(emailOf(0))?.properties.firstname === 'Old');
    hubspot.throttle(1, 1);
    await t.identify([{ userId: 'u0', traits: { first_name: 'Middle' } }]);
    await until(() => hubspot.requests().some((request) => request.status === 429));
    await t.identify([{ userId: 'u0', traits: { first_name: 'New' } }]);
    await until(() => upsertsOf(emailOf(0)) === 3, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(hubspot.contacts().get(emailOf(0))?.properties.firstname).toBe('New');
    expect(
      hubspot
        .accepted()
        .filter((change) => change.to === emailOf(0))
        .map((change) => change.text.includes('firstname=Middle')),
    ).toEqual([false, false, false]);
  }, 20_000);
});
