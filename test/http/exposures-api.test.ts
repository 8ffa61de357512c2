import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeClock, fakeClock } from '../../src/clock.ts';
import { OTHER_WORKSPACE, openDemoTailor } from '../support/demo-tailor.ts';
import { basic, bearer, sendAccepted, type TestTailor, tempDir } from '../support/test-tailor.ts';

const NOW = Date.parse('2026-03-10T06:00:00Z');

let t: TestTailor;
let clock: FakeClock;
let dir: string;

beforeEach(async () => {
  dir = tempDir('tailor-exposures-');
  clock = fakeClock(NOW);
  t = await openDemoTailor({ path: join(dir, 'tailor.db'), clock, triggers: false });
});

afterEach(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

type Json = Record<string, unknown>;

/** `POST /v1/decide` for a visitor's own anonymous id, with the demo write key. */
function decide(body: Json) {
  return t.app.inject({
    method: 'POST',
    url: '/v1/decide',
    headers: { 'content-type': 'application/json', authorization: basic(t.writeKey) },
    payload: JSON.stringify(body),
  });
}

function get(url: string, key = t.adminKey) {
  return t.app.inject({ method: 'GET', url, headers: { authorization: bearer(key) } });
}

/** A visitor the demo knows: a page view made their profile. */
async function visitor(anonymousId: string): Promise<void> {
  await sendAccepted(t, '/v1/page', { anonymousId, name: 'Home', properties: {} });
}

const shownIn = { location: { city: 'Bangalore' } };

describe('the exposure API', () => {
  it('reads back what decide showed, by profile and by placement, newest first and paged', async () => {
    await visitor('visitor-1');
    for (const messageId of ['r1', 'r2']) {
      const reply = await decide({
        anonymousId: 'visitor-1',
        placements: ['home_banner', 'offer_block'],
        context: shownIn,
        messageId,
      });
      expect(reply.statusCode, reply.body).toBe(200);
    }
    const profileId = (await get('/v1/profiles/anonymous_id:visitor-1')).json().id;

    const mine = await get('/v1/profiles/anonymous_id:visitor-1/exposures');
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json().exposures.map((e: Json) => `${e['decision_id']}/${e['placement']}`)).toEqual([
      'dcd-r2/offer_block',
      'dcd-r2/home_banner',
      'dcd-r1/offer_block',
      'dcd-r1/home_banner',
    ]);
    expect(mine.json().exposures[1]).toEqual({
      profile_id: profileId,
      user_id: null,
      anonymous_id: 'visitor-1',
      placement: 'home_banner',
      variant: 'bangalore',
      decision_id: 'dcd-r2',
      at: new Date(NOW).toISOString(),
    });

    const first = await get('/v1/placements/home_banner/exposures?limit=1');
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().exposures.map((e: Json) => e['decision_id'])).toEqual(['dcd-r2']);
    const next = await get(`/v1/placements/home_banner/exposures?limit=1&before=${first.json().next_before}`);
    expect(next.json()).toEqual({ exposures: [expect.objectContaining({ decision_id: 'dcd-r1' })] });
    expect((await get('/v1/placements/nowhere/exposures')).json()).toEqual({ exposures: [] });
  });

  it('stores a decision recorded twice once', async () => {
    await visitor('visitor-1');
    const body = { anonymousId: 'visitor-1', placements: ['home_banner'], context: shownIn, messageId: 'r1' };
    expect((await decide(body)).statusCode).toBe(200);
    expect((await decide(body)).statusCode).toBe(200);
    expect((await get('/v1/placements/home_banner/exposures')).json().exposures).toHaveLength(1);
  });

  it('does not write the profile: a decide with placements only logs no event', async () => {
    await visitor('visitor-1');
    await t.engine.commit();
    const before = (await get('/v1/profiles/anonymous_id:visitor-1')).json();
    const seq = await t.store.lastSeq();
    const reply = await decide({ anonymousId: 'visitor-1', placements: ['home_banner'], context: shownIn });
    expect(reply.statusCode).toBe(200);
    expect((await get('/v1/profiles/anonymous_id:visitor-1/exposures')).json().exposures).toHaveLength(1);
    await t.engine.commit();
    expect(await t.store.lastSeq()).toBe(seq);
    const after = (await get('/v1/profiles/anonymous_id:visitor-1')).json();
    expect(after.event_count).toBe(before.event_count);
    expect(after).toEqual(before);
  });

  it('refuses write keys, and keeps workspaces apart', async () => {
    await visitor('visitor-1');
    await decide({ anonymousId: 'visitor-1', placements: ['home_banner'], context: shownIn });
    for (const url of [
      '/v1/profiles/anonymous_id:visitor-1/exposures',
      '/v1/placements/home_banner/exposures',
    ]) {
      const withWriteKey = await get(url, t.writeKey);
      expect(withWriteKey.statusCode).toBe(401);
      expect(withWriteKey.json().code).toBe('UNKNOWN_ADMIN_KEY');
      expect((await t.app.inject({ method: 'GET', url })).json().code).toBe('MISSING_ADMIN_KEY');
    }
    const other = `ak_${OTHER_WORKSPACE}`;
    expect((await get('/v1/placements/home_banner/exposures', other)).json()).toEqual({ exposures: [] });
    const profile = await get('/v1/profiles/anonymous_id:visitor-1/exposures', other);
    expect(profile.statusCode).toBe(404);
    expect(profile.json().code).toBe('PROFILE_NOT_FOUND');
  });

  it("erases a person's exposures with them, those shown before they had a profile included", async () => {
    const shown = await decide({ anonymousId: 'visitor-1', placements: ['home_banner'], context: shownIn });
    expect(shown.json().profile_id).toBeNull();
    await visitor('visitor-1');
    await decide({ anonymousId: 'visitor-1', placements: ['offer_block'], context: shownIn });
    await visitor('visitor-2');
    await decide({ anonymousId: 'visitor-2', placements: ['home_banner'], context: shownIn });
    await t.engine.commit();
    expect((await get('/v1/profiles/anonymous_id:visitor-1/exposures')).json().exposures).toHaveLength(2);

    const erased = await t.app.inject({
      method: 'DELETE',
      url: '/v1/profiles/anonymous_id:visitor-1',
      headers: { authorization: bearer(t.adminKey) },
    });
    expect(erased.statusCode, erased.body).toBe(200);
    const left = (await get('/v1/placements/home_banner/exposures')).json().exposures;
    expect(left.map((e: Json) => e['anonymous_id'])).toEqual(['visitor-2']);
    expect((await get('/v1/placements/offer_block/exposures')).json().exposures).toEqual([]);
  });

  it('writes what waits when Tailor stops: nothing decide handed over is lost', async () => {
    await visitor('visitor-1');
    await decide({
      anonymousId: 'visitor-1',
      placements: ['home_banner'],
      context: shownIn,
      messageId: 'r1',
    });
    await t.close();
    t = await openDemoTailor({ path: join(dir, 'tailor.db'), clock, triggers: false });
    const shown = (await get('/v1/placements/home_banner/exposures')).json().exposures;
    expect(shown.map((e: Json) => e['decision_id'])).toEqual(['dcd-r1']);
  });

  it("exports a person's exposures with everything else held on them", async () => {
    await decide({
      anonymousId: 'visitor-1',
      placements: ['home_banner'],
      context: shownIn,
      messageId: 'r1',
    });
    await visitor('visitor-1');
    await decide({
      anonymousId: 'visitor-1',
      placements: ['offer_block'],
      context: shownIn,
      messageId: 'r2',
    });
    const exported = await get('/v1/profiles/anonymous_id:visitor-1/export');
    expect(exported.statusCode, exported.body).toBe(200);
    expect(exported.json().exposures.map((e: Json) => `${e['messageId']}/${e['placement']}`)).toEqual([
      'dcd-r2/offer_block',
      'dcd-r1/home_banner',
    ]);
  });

  it('documents both routes in /openapi.json, for admin keys', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of ['/v1/profiles/{ref}/exposures', '/v1/placements/{key}/exposures']) {
      expect(doc.paths[path].get.security).toEqual([{ adminKey: [] }]);
      expect(
        Object.keys(doc.paths[path].get.responses['200'].content['application/json'].schema.properties),
      ).toEqual(['exposures', 'next_before']);
    }
  });
});
