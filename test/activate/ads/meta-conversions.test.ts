import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/activate/ads/match-keys.ts';
import { createMetaConversionsAdapter } from '../../../src/activate/ads/meta-conversions-adapter.ts';
import { type LocalMetaAds, startLocalMetaAds } from '../../../src/activate/local/local-meta-ads.ts';
import { tempDir } from '../../support/test-tailor.ts';
import { channelContract } from '../channel-contract.ts';
import { type AdsTailor, adsWorkspaceYaml, openAdsTailor, until } from './ads-tailor.ts';

const MEERA = 'meera@example.com';

channelContract('meta_conversions', async () => {
  const provider = await startLocalMetaAds();
  provider.knownPeople([MEERA]);
  return {
    adapter: createMetaConversionsAdapter({
      baseUrl: provider.baseUrl,
      pixelId: provider.pixelId,
      accessToken: provider.accessToken,
      batchWindowMs: 5,
    }),
    provider,
    idempotent: true,
    message: (id, text) => ({
      id,
      channel: 'meta_conversions',
      to: MEERA,
      content: { event_name: text, event_time: 1_772_359_200, event_id: id, email: MEERA },
      profileId: 'prf_meera',
    }),
  };
});

let dir: string;
let meta: LocalMetaAds;
let t: AdsTailor;

beforeEach(async () => {
  dir = tempDir('tailor-capi-');
  meta = await startLocalMetaAds();
  t = await openAdsTailor({
    dir,
    yaml: adsWorkspaceYaml(`
  meta_conversions:
    base_url: ${meta.baseUrl}
    pixel_id: "${meta.pixelId}"
    access_token: ${meta.accessToken}
    events: [Order Completed]
    test_event_code: TEST123
`),
  });
});

afterEach(async () => {
  await t.close();
  await meta.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Meta Conversions API', () => {
  it('sends chosen events with hashed user data and the messageId as event_id, once each', async () => {
    await t.identify([
      {
        userId: 'u1',
        traits: { email: 'Meera@Example.com', phone: '+91 98765 43210' },
        context: { consent: { advertising: true } },
      },
      { userId: 'u2', traits: { email: 'arjun@example.com' } },
    ]);
    await t.track([
      {
        userId: 'u1',
        event: 'Order Completed',
        messageId: 'order-1',
        timestamp: '2026-03-01T10:00:00Z',
        properties: { revenue: 1499, currency: 'INR' },
      },
      { userId: 'u1', event: 'Product Viewed', messageId: 'view-1' },
      // No advertising consent: not sent.
      { userId: 'u2', event: 'Order Completed', messageId: 'order-2', properties: { revenue: 10 } },
    ]);
    await until(() => meta.events().length === 1);
    // A client retrying the same event (same messageId) is deduplicated at ingest: still one.
    await t.track([
      { userId: 'u1', event: 'Order Completed', messageId: 'order-1', properties: { revenue: 1499 } },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(meta.events()).toEqual([
      {
        event_name: 'Order Completed',
        event_time: Date.parse('2026-03-01T10:00:00Z') / 1000,
        event_id: 'order-1',
        action_source: 'website',
        user_data: {
          em: [sha256Hex('meera@example.com')],
          ph: [sha256Hex('919876543210')],
          external_id: [sha256Hex('u1')],
        },
        custom_data: { value: 1499, currency: 'INR' },
      },
    ]);
    const [request] = meta.requests();
    expect(request).toMatchObject({
      method: 'POST',
      path: `/v21.0/${meta.pixelId}/events`,
      status: 200,
      rows: 1,
    });
  });

  it('retries a throttled request after Retry-After, and fails for good on a bad token', async () => {
    const adapter = createMetaConversionsAdapter({
      baseUrl: meta.baseUrl,
      pixelId: meta.pixelId,
      accessToken: meta.accessToken,
      batchWindowMs: 1,
    });
    const message = {
      id: 'e-1:meta_conversions',
      channel: 'meta_conversions' as const,
      to: 'meera@example.com',
      profileId: 'p',
      content: {
        event_name: 'Order Completed',
        event_time: 1767225600,
        event_id: 'e-1',
        email: 'meera@example.com',
      },
    };
    meta.failNext({ kind: 'rate-limited', retryAfterSeconds: 7 });
    expect(await adapter.send(message)).toMatchObject({ kind: 'retry', retryAfterMs: 7_000 });
    expect((await adapter.send(message)).kind).toBe('sent');
    const wrong = createMetaConversionsAdapter({
      baseUrl: meta.baseUrl,
      pixelId: meta.pixelId,
      accessToken: 'EAAbad',
      batchWindowMs: 1,
    });
    const refused = await wrong.send(message);
    expect(refused).toMatchObject({ kind: 'failed', unreachable: false });
    if (refused.kind === 'failed') expect(refused.reason).not.toContain('EAAbad');
  });
});
