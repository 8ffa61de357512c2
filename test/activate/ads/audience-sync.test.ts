import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { googleEmail, metaEmail, sha256Hex } from '../../../src/activate/ads/match-keys.ts';
import type { LocalGoogleAds } from '../../../src/activate/local/local-google-ads.ts';
import type { LocalMetaAds } from '../../../src/activate/local/local-meta-ads.ts';
import { tempDir } from '../../support/test-tailor.ts';
import {
  type AdsTailor,
  adsWorkspaceYaml,
  openAdsTailor,
  startVipPlatforms,
  until,
  vipChannelsYaml,
} from './ads-tailor.ts';

const PEOPLE = 10_000;
const emailOf = (i: number) => `Person.${i}@Example.com`;
const hashOf = (i: number) => sha256Hex(metaEmail(emailOf(i)) ?? '');
const googleHashOf = (i: number) => sha256Hex(googleEmail(emailOf(i)) ?? '');

let dir: string;
let meta: LocalMetaAds;
let audience: string;
let google: LocalGoogleAds;
let userList: string;
let t: AdsTailor;

beforeEach(async () => {
  dir = tempDir('tailor-meta-sync-');
  ({ meta, audience, google, userList } = await startVipPlatforms());
  t = await openAdsTailor({
    dir,
    yaml: adsWorkspaceYaml(vipChannelsYaml({ meta, audience, google, userList })),
  });
});

afterEach(async () => {
  await t.close();
  await meta.close();
  await google.close();
  rmSync(dir, { recursive: true, force: true });
});

const people = (from: number, to: number, traits: Record<string, unknown>, consent = true) =>
  Array.from({ length: to - from }, (_, k) => ({
    userId: `u${from + k}`,
    traits: { email: emailOf(from + k), ...traits },
    ...(consent ? { context: { consent: { advertising: true } } } : {}),
  }));

describe('audience sync to Meta and Google', () => {
  it('puts a segment of 10,000 people in both audiences once each, hashed, in batches; exits remove them', async () => {
    await t.identify(people(0, PEOPLE, { vip: true }));
    await until(() => meta.members(audience).size === PEOPLE && google.members(userList).size === PEOPLE);
    const adds = meta.requests().filter((r) => r.method === 'POST' && r.status === 200);
    expect(adds.reduce((sum, r) => sum + r.rows, 0)).toBe(PEOPLE);
    expect(adds.length).toBeLessThan(PEOPLE / 50);
    const operations = google.requests().filter((r) => r.path.endsWith(':addOperations') && r.status === 200);
    expect(operations.reduce((sum, r) => sum + r.operations, 0)).toBe(PEOPLE);
    expect(google.accepted()).toHaveLength(PEOPLE);
    const members = meta.members(audience);
    const listed = google.members(userList);
    for (let i = 0; i < PEOPLE; i += 1) {
      expect(members.has(hashOf(i))).toBe(true);
      expect(listed.has(googleHashOf(i))).toBe(true);
    }

    await t.identify(people(0, 1_000, { vip: false }));
    await until(
      () =>
        meta.members(audience).size === PEOPLE - 1_000 && google.members(userList).size === PEOPLE - 1_000,
    );
    expect(meta.members(audience).has(hashOf(0))).toBe(false);
    expect(meta.members(audience).has(hashOf(1_000))).toBe(true);
    expect(google.members(userList).has(googleHashOf(999))).toBe(false);
    // The platform took the last batch a moment before its outcomes are written.
    const settled = async () =>
      (await t.store.sendCountsByTrigger('shop', 'audience:')).every((count) => count.status === 'sent');
    await until(settled);
    const counts = await t.store.sendCountsByTrigger('shop', 'audience:');
    expect(counts).toEqual([
      { trigger: 'audience:google_customer_match:vip', status: 'sent', count: PEOPLE + 1_000 },
      { trigger: 'audience:meta_audiences:vip', status: 'sent', count: PEOPLE + 1_000 },
    ]);
  }, 60_000);

  it('sends only people whose consent covers advertising, and reports what the platforms matched', async () => {
    // Google's match rate is the job's, computed when it runs: it knows 3 of the 5 by then.
    google.knownPeople([0, 1, 2].map(emailOf));
    await t.identify([...people(0, 5, { vip: true }), ...people(5, 10, { vip: true }, false)]);
    await until(() => meta.members(audience).size === 5 && google.members(userList).size === 5);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect([...meta.members(audience)].sort()).toEqual([0, 1, 2, 3, 4].map(hashOf).sort());
    expect([...google.members(userList)].sort()).toEqual([0, 1, 2, 3, 4].map(googleHashOf).sort());
    // The platforms match the people they know: 4 of the 5 on Meta, 3 of the 5 on Google.
    meta.knownPeople([0, 1, 2, 3].map(emailOf));
    const reply = await t.app.inject({ url: '/v1/audiences', headers: { authorization: 'Bearer ak_shop' } });
    expect(reply.statusCode).toBe(200);
    expect(reply.json()).toEqual({
      destinations: [
        {
          channel: 'meta_audiences',
          segment: 'vip',
          list: audience,
          synced: 5,
          pending: 0,
          failed: 0,
          outdated: 0,
          match: { approximate_count: { lower: 4, upper: 4 } },
        },
        {
          channel: 'google_customer_match',
          segment: 'vip',
          list: userList,
          synced: 5,
          pending: 0,
          failed: 0,
          outdated: 0,
          match: { match_rate_range: 'MATCH_RANGE_60_TO_70' },
        },
      ],
    });
    const anonymous = await t.app.inject({ url: '/v1/audiences' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('rides out a storm of 429s without losing or repeating anyone', async () => {
    meta.throttle(20, 0.05);
    await t.identify(people(0, 1_000, { vip: true }));
    await until(() => meta.members(audience).size === 1_000).catch(async (e) => {
      console.log(
        meta.members(audience).size,
        meta.requests().slice(0, 40),
        await t.store.sendCountsByTrigger('shop', 'audience:'),
        await t.store.listSends({ workspaceId: 'shop', limit: 3 }),
      );
      throw e;
    });
    const answered = meta.requests();
    expect(answered.filter((r) => r.status === 429)).toHaveLength(20);
    const added = answered.filter((r) => r.status === 200).reduce((sum, r) => sum + r.rows, 0);
    expect(added).toBe(1_000);
  }, 30_000);
});
