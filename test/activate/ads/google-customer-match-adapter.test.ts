import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGoogleCustomerMatchAdapter } from '../../../src/activate/ads/google-customer-match-adapter.ts';
import { sha256Hex } from '../../../src/activate/ads/match-keys.ts';
import type { OutboundMessage } from '../../../src/activate/channel.ts';
import { type LocalGoogleAds, startLocalGoogleAds } from '../../../src/activate/local/local-google-ads.ts';
import { channelContract } from '../channel-contract.ts';

const MEERA = 'meera@example.com';

function listMessage(id: string, list: string, content: Record<string, unknown> = {}): OutboundMessage {
  return {
    id,
    channel: 'google_customer_match',
    to: MEERA,
    content: { op: 'add', segment: 'high_intent_leads', list, email: MEERA, ...content },
    profileId: 'prf_meera',
  };
}

const adapterFor = (google: LocalGoogleAds, overrides: { fetch?: typeof fetch; accessToken?: string } = {}) =>
  createGoogleCustomerMatchAdapter({
    baseUrl: google.baseUrl,
    customerId: google.customerId,
    developerToken: google.developerToken,
    accessToken: overrides.accessToken ?? google.accessToken,
    batchWindowMs: 5,
    ...(overrides.fetch === undefined ? {} : { fetch: overrides.fetch }),
  });

channelContract('google_customer_match', async () => {
  const provider = await startLocalGoogleAds();
  provider.knownPeople([MEERA]);
  return {
    adapter: adapterFor(provider),
    provider,
    idempotent: false,
    message: (id, text) => listMessage(id, provider.createUserList(text)),
  };
});

describe('Google Ads Customer Match adapter', () => {
  let google: LocalGoogleAds;
  beforeEach(async () => {
    google = await startLocalGoogleAds();
  });
  afterEach(async () => {
    await google.close();
  });

  it('creates a job, adds one operation per person with hashed identifiers, and runs it', async () => {
    const seen: { url: string; headers: Headers; body: unknown }[] = [];
    const adapter = adapterFor(google, {
      fetch: async (url, init) => {
        seen.push({
          url: String(url),
          headers: new Headers(init?.headers),
          body: JSON.parse(String(init?.body)),
        });
        return fetch(url, init);
      },
    });
    const list = google.createUserList('High intent leads');
    const outcomes = await Promise.all([
      adapter.send(listMessage('a', list, { email: ' Meera.K@Gmail.com', phone: '+91 98765 43210' })),
      adapter.send(listMessage('b', list, { email: undefined, phone: '+919811122334' })),
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(['sent', 'sent']);
    expect(seen.map((s) => s.url.replace(google.baseUrl, ''))).toEqual([
      `/customers/${google.customerId}/offlineUserDataJobs:create`,
      expect.stringMatching(/^\/customers\/\d+\/offlineUserDataJobs\/\d+:addOperations$/),
      expect.stringMatching(/^\/customers\/\d+\/offlineUserDataJobs\/\d+:run$/),
    ]);
    expect(seen[0]?.headers.get('developer-token')).toBe(google.developerToken);
    expect(seen[0]?.headers.get('authorization')).toBe(`Bearer ${google.accessToken}`);
    expect(seen[0]?.body).toEqual({
      job: {
        type: 'CUSTOMER_MATCH_USER_LIST',
        customerMatchUserListMetadata: {
          userList: list,
          consent: { adUserData: 'GRANTED', adPersonalization: 'GRANTED' },
        },
      },
      enableMatchRateRangePreview: true,
    });
    expect(seen[1]?.body).toEqual({
      enablePartialFailure: true,
      operations: [
        {
          create: {
            userIdentifiers: [
              { hashedEmail: sha256Hex('meerak@gmail.com') },
              { hashedPhoneNumber: sha256Hex('+919876543210') },
            ],
          },
        },
        { create: { userIdentifiers: [{ hashedPhoneNumber: sha256Hex('+919811122334') }] } },
      ],
    });
    expect(google.members(list).size).toBe(2);
    const job = adapter.latestJob(list);
    expect(outcomes[0]).toEqual({ kind: 'sent', providerMessageId: job });
  });

  it('removes with remove operations', async () => {
    const list = google.createUserList('Leads');
    const adapter = adapterFor(google);
    await adapter.send(listMessage('a', list));
    expect(google.members(list).size).toBe(1);
    expect((await adapter.send(listMessage('r', list, { op: 'remove' }))).kind).toBe('sent');
    expect(google.members(list).size).toBe(0);
  });

  it('fails for good on rejected credentials, without the tokens in the reason', async () => {
    const list = google.createUserList('Leads');
    const outcome = await adapterFor(google, { accessToken: 'ya29.wrong-token' }).send(
      listMessage('x', list),
    );
    expect(outcome).toMatchObject({ kind: 'failed', unreachable: false });
    if (outcome.kind === 'failed') {
      expect(outcome.reason).toContain('UNAUTHENTICATED');
      expect(outcome.reason).not.toContain('ya29.wrong-token');
      expect(outcome.reason).not.toContain(google.developerToken);
    }
  });
});
