import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
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

const emailOf = (i: number) => `person.${i}@example.com`;
const metaHash = (i: number) => sha256Hex(metaEmail(emailOf(i)) ?? '');
const googleHash = (i: number) => sha256Hex(googleEmail(emailOf(i)) ?? '');
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
const ADMIN = { authorization: 'Bearer ak_shop' };

let dir: string;
let meta: LocalMetaAds;
let google: LocalGoogleAds;
let audience: string;
let userList: string;
let t: AdsTailor;

async function open(reconcileEvery?: string): Promise<void> {
  dir = tempDir('tailor-audience-reconcile-');
  ({ meta, audience, google, userList } = await startVipPlatforms());
  t = await openAdsTailor({
    dir,
    reconcileCheckMs: 50,
    yaml: adsWorkspaceYaml(
      vipChannelsYaml({
        meta,
        audience,
        google,
        userList,
        ...(reconcileEvery === undefined ? {} : { metaExtra: `reconcile_every: ${reconcileEvery}` }),
      }),
    ),
  });
}

afterEach(async () => {
  await t.close();
  await meta.close();
  await google.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Identify calls for people `ids`, in `vip`, with advertising consent granted, withdrawn or never given. */
const people = (ids: number[], consent: boolean | undefined) =>
  ids.map((i) => ({
    userId: `u${i}`,
    traits: { email: emailOf(i), vip: true },
    ...(consent === undefined ? {} : { context: { consent: { advertising: consent } } }),
  }));

/** Whether both platforms hold exactly people `ids`. */
const holdExactly = (ids: number[]) => {
  const onMeta = meta.members(audience);
  const onGoogle = google.members(userList);
  return (
    onMeta.size === ids.length &&
    onGoogle.size === ids.length &&
    ids.every((i) => onMeta.has(metaHash(i)) && onGoogle.has(googleHash(i)))
  );
};

/** Waits until no audience change is pending or in flight. */
const settled = () =>
  until(async () =>
    (await t.store.sendCountsByTrigger('shop', 'audience:')).every(
      (count) => count.status !== 'pending' && count.status !== 'sending',
    ),
  );

async function reconcile(query = ''): Promise<{ channel: string; adds: number; removes: number }[]> {
  const reply = await t.app.inject({
    method: 'POST',
    url: `/v1/audiences/vip/reconcile${query}`,
    headers: ADMIN,
  });
  expect(reply.statusCode, reply.body).toBe(200);
  const { destinations } = reply.json() as {
    destinations: { channel: string; adds: number; removes: number }[];
  };
  return destinations.map(({ channel, adds, removes }) => ({ channel, adds, removes }));
}

/** Deletes the outbox's records of people `ids`' audience sends, as a lost or restored database would. */
async function forgetSyncRecords(ids: number[]): Promise<void> {
  const profileIds: string[] = [];
  for (const i of ids) {
    const profile = await t.engine.reads.findProfile('shop', `user_id:u${i}`);
    if (profile !== undefined) profileIds.push(profile.id);
  }
  const db = new Database(join(dir, 'tailor.db'));
  const remove = db.prepare(`DELETE FROM sends WHERE profile_id = ? AND "trigger" LIKE 'audience:%'`);
  for (const id of profileIds) remove.run(id);
  db.close();
}

/** Removes people from the Custom Audience behind Tailor's back, as someone in Ads Manager would. */
async function loseOnMeta(ids: number[]): Promise<void> {
  const reply = await fetch(`${meta.baseUrl}/${audience}/users`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${meta.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ payload: { schema: 'EMAIL', data: ids.map(metaHash) } }),
  });
  expect(reply.status).toBe(200);
}

describe('audience reconciliation', () => {
  it('repairs drift on demand: lost sync records, consent given late or withdrawn, members the platform lost', async () => {
    await open();
    await t.identify([...people(range(0, 100), true), ...people(range(100, 110), undefined)]);
    await until(() => holdExactly(range(0, 100)));
    await settled();
    expect(await reconcile()).toEqual([
      { channel: 'meta_audiences', adds: 0, removes: 0 },
      { channel: 'google_customer_match', adds: 0, removes: 0 },
    ]);

    // Drift: records of 0–9 lost; 10–19 removed on Meta behind Tailor's back; 100–109 give
    // consent after entering (no entry, so no add); 20–24 withdraw it (still members).
    await forgetSyncRecords(range(0, 10));
    await loseOnMeta(range(10, 20));
    await t.identify([...people(range(100, 110), true), ...people(range(20, 25), false)]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(meta.members(audience).has(metaHash(100))).toBe(false);
    expect(meta.members(audience).has(metaHash(20))).toBe(true);

    // Tailor's records say what to add (0–9, 100–109) and remove (20–24); not what Meta lost.
    const expected = { adds: 20, removes: 5 };
    expect(await reconcile()).toEqual([
      { channel: 'meta_audiences', ...expected },
      { channel: 'google_customer_match', ...expected },
    ]);
    const lost = range(10, 20);
    const wanted = [...range(0, 20), ...range(25, 110)];
    await until(() => google.members(userList).size === wanted.length);
    expect(holdExactly(wanted)).toBe(false);
    expect(lost.some((i) => meta.members(audience).has(metaHash(i)))).toBe(false);
    await settled();
    expect(await reconcile()).toEqual([
      { channel: 'meta_audiences', adds: 0, removes: 0 },
      { channel: 'google_customer_match', adds: 0, removes: 0 },
    ]);

    // A full reconciliation re-sends every member: Meta gets back the people it lost.
    expect(await reconcile('?full=true')).toEqual([
      { channel: 'meta_audiences', adds: wanted.length, removes: 0 },
      { channel: 'google_customer_match', adds: wanted.length, removes: 0 },
    ]);
    await until(() => holdExactly(wanted));
    await settled();
    const audiences = await t.app.inject({ url: '/v1/audiences', headers: ADMIN });
    for (const destination of audiences.json().destinations) expect(destination.failed).toBe(0);
  }, 30_000);

  it('answers 404 for a segment no audience mirrors, and needs the admin key', async () => {
    await open();
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/v1/audiences/nope/reconcile',
      headers: ADMIN,
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('AUDIENCE_NOT_FOUND');
    const anonymous = await t.app.inject({ method: 'POST', url: '/v1/audiences/vip/reconcile' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('runs on the schedule of reconcile_every', async () => {
    await open('1s');
    await t.identify(people(range(0, 20), undefined));
    await t.identify(people(range(0, 20), true));
    // Consent came after the entry: nothing was queued for them.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(meta.members(audience).size).toBe(0);
    // Meta's reconciliation (every second) adds them; Google's (daily) does not.
    await until(() => meta.members(audience).size === 20, 10_000);
    expect(google.members(userList).size).toBe(0);
  }, 20_000);
});
