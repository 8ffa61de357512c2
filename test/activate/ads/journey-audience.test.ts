import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { metaEmail, sha256Hex } from '../../../src/activate/ads/match-keys.ts';
import type { LocalGoogleAds } from '../../../src/activate/local/local-google-ads.ts';
import type { LocalMetaAds } from '../../../src/activate/local/local-meta-ads.ts';
import { DEMO_NETWORK_POLICY } from '../../../src/app/settings.ts';
import { parseWorkspaceYaml } from '../../../src/workspace/load-workspace.ts';
import { tempDir } from '../../support/test-tailor.ts';
import { thrownTailorError } from '../../support/thrown.ts';
import { type AdsTailor, openAdsTailor, startVipPlatforms, until } from './ads-tailor.ts';

const emailOf = (i: number) => `person.${i}@example.com`;
const hashOf = (i: number) => sha256Hex(metaEmail(emailOf(i)) ?? '');

let dir: string;
let meta: LocalMetaAds;
let google: LocalGoogleAds;
let audience: string;
let userList: string;
let highIntent: string;
let t: AdsTailor;

/** A workspace whose journey puts people who viewed pricing in a Meta list until they order. */
const workspaceYaml = (destination: string) => `
workspace:
  id: shop
  name: Shop
segments:
  - key: vip
    when: { traits.vip: true }
journeys:
  - key: high_intent_ads
    trigger: { event: Pricing Viewed }
    reentry: always
    steps:
      - key: to_meta
        audience: { destination: ${destination}, action: add }
      - key: until_order
        wait_for: { event: Order Completed, timeout: 7d }
      - key: off_meta
        audience: { destination: ${destination}, action: remove }
channels:
  meta_audiences:
    base_url: ${meta.baseUrl}
    access_token: ${meta.accessToken}
    audiences: { vip: "${audience}" }
    lists: { meta_high_intent: "${highIntent}" }
`;

beforeEach(async () => {
  dir = tempDir('tailor-journey-audience-');
  ({ meta, audience, google, userList } = await startVipPlatforms());
  highIntent = meta.createAudience('High intent');
  t = await openAdsTailor({ dir, yaml: workspaceYaml('meta_high_intent') });
});

afterEach(async () => {
  await t.close();
  await meta.close();
  await google.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('journey audience steps', () => {
  it('add a person to a list and remove them at a later step, through the outbox; adds need consent', async () => {
    await t.identify([
      { userId: 'u0', traits: { email: emailOf(0) }, context: { consent: { advertising: true } } },
      { userId: 'u1', traits: { email: emailOf(1) } },
    ]);
    await t.track([
      { userId: 'u0', event: 'Pricing Viewed' },
      { userId: 'u1', event: 'Pricing Viewed' },
    ]);
    await until(() => meta.members(highIntent).has(hashOf(0)));
    // u1 gave no advertising consent: the step queued nothing for them.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect([...meta.members(highIntent)]).toEqual([hashOf(0)]);
    expect(meta.members(audience).size).toBe(0);

    await t.track([{ userId: 'u0', event: 'Order Completed' }]);
    await until(() => meta.members(highIntent).size === 0);
    const counts = await t.store.sendCountsByTrigger('shop', 'journey:high_intent_ads:');
    await until(async () =>
      (await t.store.sendCountsByTrigger('shop', 'journey:')).every((count) => count.status === 'sent'),
    );
    expect(counts.map((count) => count.trigger)).toEqual([
      'journey:high_intent_ads:off_meta',
      'journey:high_intent_ads:to_meta',
    ]);
    expect(userList).not.toBe('');
  });

  it('refuses a step naming a list no audience channel has', () => {
    const error = thrownTailorError(() =>
      parseWorkspaceYaml({ text: workspaceYaml('meta_high_intnet'), network: DEMO_NETWORK_POLICY }),
    );
    expect(error.details).toContainEqual({
      path: 'tailor.yaml:14:34 journeys[0].steps[0].audience.destination',
      message:
        'no list `meta_high_intnet` in channels.meta_audiences.lists or channels.google_customer_match.lists: did you mean `meta_high_intent`?',
    });
  });
});
