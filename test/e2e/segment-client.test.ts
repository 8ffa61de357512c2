import { Analytics } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SpawnedTailor, spawnTailor, stopTailor } from '../support/spawn-tailor.ts';
import { tempDir } from '../support/test-tailor.ts';

const WRITE_KEY = 'wk_e2e_segment';
const ADMIN_KEY = 'ak_e2e_segment';
let tailor: SpawnedTailor;

beforeAll(async () => {
  tailor = await spawnTailor({
    dataDir: tempDir(),
    env: { TAILOR_WRITE_KEY: WRITE_KEY, TAILOR_ADMIN_KEY: ADMIN_KEY },
  });
});
afterAll(async () => {
  expect(await stopTailor(tailor)).toBe(0);
});

describe('the real @segment/analytics-node client pointed at Tailor', () => {
  it('sends identify, page, track and alias calls that become one profile', async () => {
    const errors: unknown[] = [];
    const analytics = new Analytics({ writeKey: WRITE_KEY, host: tailor.url, flushAt: 3, maxRetries: 1 });
    analytics.on('error', (error) => errors.push(error));
    analytics.page({
      anonymousId: 'visitor-42',
      name: 'Pricing',
      context: { campaign: { source: 'google', medium: 'cpc', name: 'diwali' } },
    });
    analytics.track({
      anonymousId: 'visitor-42',
      event: 'Product Viewed',
      properties: { product_id: 'sku-1', name: 'Kurta' },
    });
    analytics.identify({
      userId: 'USR_42',
      anonymousId: 'visitor-42',
      traits: { email: 'meera@example.com', first_name: 'Meera' },
    });
    analytics.track({
      userId: 'USR_42',
      event: 'Order Completed',
      properties: { revenue: 2499, currency: 'INR' },
    });
    analytics.alias({ userId: 'USR_42', previousId: 'visitor-42' });
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect(errors).toEqual([]);

    const response = await fetch(
      `${tailor.url}/v1/profiles/${encodeURIComponent('email:meera@example.com')}`,
      {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      },
    );
    expect(response.status).toBe(200);
    const profile = (await response.json()) as {
      identifiers: Record<string, string[]>;
      traits: Record<string, unknown>;
      computed: Record<string, unknown>;
    };
    expect(profile.identifiers).toMatchObject({
      user_id: ['USR_42'],
      anonymous_id: ['visitor-42'],
      email: ['meera@example.com'],
    });
    expect(profile.traits.first_name).toBe('Meera');
    expect(profile.computed.orders).toBe(1);
    expect(profile.computed.lifetime_value).toBe(2499);
  });
});
