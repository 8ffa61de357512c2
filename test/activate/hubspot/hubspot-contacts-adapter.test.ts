import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../../src/activate/channel.ts';
import { createHubSpotContactsAdapter } from '../../../src/activate/hubspot/hubspot-contacts-adapter.ts';
import { type LocalHubSpot, startLocalHubSpot } from '../../../src/activate/local/local-hubspot.ts';
import { channelContract } from '../channel-contract.ts';

const MEERA = 'meera@example.com';

function upsert(id: string, email: string, properties: Record<string, string>): OutboundMessage {
  return { id, channel: 'hubspot', to: email, content: { email, properties }, profileId: `prf_${id}` };
}

const adapterFor = (hubspot: LocalHubSpot, overrides: { fetch?: typeof fetch; accessToken?: string } = {}) =>
  createHubSpotContactsAdapter({
    baseUrl: hubspot.baseUrl,
    accessToken: overrides.accessToken ?? hubspot.accessToken,
    batchWindowMs: 5,
    ...(overrides.fetch === undefined ? {} : { fetch: overrides.fetch }),
  });

channelContract('hubspot', async () => {
  const provider = await startLocalHubSpot();
  return {
    adapter: adapterFor(provider),
    provider,
    idempotent: false,
    message: (id, text) => upsert(id, MEERA, { tailor_note: text }),
  };
});

describe('HubSpot contacts adapter', () => {
  let hubspot: LocalHubSpot;
  beforeEach(async () => {
    hubspot = await startLocalHubSpot();
  });
  afterEach(async () => {
    await hubspot.close();
  });

  it('upserts contacts by email in batches of at most 100, creating then updating', async () => {
    const adapter = adapterFor(hubspot);
    const people = Array.from({ length: 250 }, (_, i) => `person.${i}@example.com`);
    const first = await Promise.all(
      people.map((email, i) =>
        adapter.send(upsert(`a${i}`, email, { firstname: `P${i}`, tailor_stage: 'lead' })),
      ),
    );
    expect(first.every((outcome) => outcome.kind === 'sent')).toBe(true);
    const sizes = hubspot.requests().map((request) => request.inputs);
    expect(sizes.every((size) => size <= 100)).toBe(true);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(250);
    expect(sizes.length).toBeLessThanOrEqual(5);
    const contact = hubspot.contacts().get('person.7@example.com');
    expect(contact?.properties).toMatchObject({ firstname: 'P7', tailor_stage: 'lead' });
    // The send is sent under the contact's HubSpot id.
    expect(first[7]).toEqual({ kind: 'sent', providerMessageId: `contact:${contact?.id}` });

    const second = await adapter.send(upsert('b7', 'Person.7@Example.com', { tailor_stage: 'customer' }));
    expect(second).toEqual({ kind: 'sent', providerMessageId: `contact:${contact?.id}` });
    expect(hubspot.contacts().get('person.7@example.com')?.properties).toMatchObject({
      firstname: 'P7',
      tailor_stage: 'customer',
    });
    expect(hubspot.contacts().size).toBe(250);
  });

  it('makes two changes of one person in a batch one input, the later values winning', async () => {
    const adapter = adapterFor(hubspot);
    const outcomes = await Promise.all([
      adapter.send(upsert('c1', MEERA, { firstname: 'Meera', tailor_stage: 'lead' })),
      adapter.send(upsert('c2', MEERA, { tailor_stage: 'customer' })),
    ]);
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['sent', 'sent']);
    expect(hubspot.requests()).toEqual([{ status: 200, inputs: 1 }]);
    expect(hubspot.contacts().get(MEERA)?.properties).toMatchObject({
      firstname: 'Meera',
      tailor_stage: 'customer',
    });
  });

  it('fails the people a 207 names and sends the others', async () => {
    const adapter = adapterFor(hubspot);
    const [good, bad] = await Promise.all([
      adapter.send(upsert('d1', MEERA, { firstname: 'Meera' })),
      adapter.send(upsert('d2', 'not-an-email@nowhere', { firstname: 'Nobody' })),
    ]);
    expect(good?.kind).toBe('sent');
    expect(bad).toMatchObject({ kind: 'failed', unreachable: true });
    expect(hubspot.requests()).toEqual([{ status: 207, inputs: 2 }]);
  });

  it('waits out a 429 by its policy window when HubSpot gives no Retry-After', async () => {
    hubspot.throttle(1);
    const outcome = await adapterFor(hubspot).send(upsert('e1', MEERA, { firstname: 'Meera' }));
    expect(outcome).toMatchObject({ kind: 'retry', retryAfterMs: 10_000 });
    expect(outcome.kind === 'retry' && outcome.reason).toContain('ten_secondly_rolling');
  });

  it('fails the batch on a bad token, never naming the token', async () => {
    const token = 'pat-na1-wrong-token';
    const outcome = await adapterFor(hubspot, { accessToken: token }).send(
      upsert('f1', MEERA, { firstname: 'M' }),
    );
    expect(outcome).toMatchObject({ kind: 'failed', unreachable: false });
    expect(outcome.kind === 'failed' && outcome.reason).toContain('INVALID_AUTHENTICATION');
    expect(JSON.stringify(outcome)).not.toContain(token);
  });

  it('fails for good a property HubSpot refuses', async () => {
    const outcome = await adapterFor(hubspot).send(upsert('g1', MEERA, { hs_object_id: '1' }));
    expect(outcome).toMatchObject({ kind: 'failed', unreachable: false });
    expect(outcome.kind === 'failed' && outcome.reason).toContain('VALIDATION_ERROR');
  });

  it('refuses a send without an email or properties', async () => {
    const outcome = await adapterFor(hubspot).send({
      id: 'h1',
      channel: 'hubspot',
      to: MEERA,
      content: { text: 'hello' },
      profileId: 'prf_h1',
    });
    expect(outcome).toMatchObject({ kind: 'failed', unreachable: false });
    expect(hubspot.requests()).toEqual([]);
  });
});
