import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeClock, fakeClock } from '../../src/clock.ts';
import { EXPOSURE_PROOF_TTL_MS } from '../../src/http/exposure-proof.ts';
import { openDemoTailor } from '../support/demo-tailor.ts';
import { basic, bearer, sendAccepted, type TestTailor, tempDir } from '../support/test-tailor.ts';

const NOW = Date.parse('2026-03-10T06:00:00Z');

let t: TestTailor;
let clock: FakeClock;
let dir: string;

beforeEach(async () => {
  dir = tempDir('tailor-exposure-report-');
  clock = fakeClock(NOW);
  t = await openDemoTailor({ path: join(dir, 'tailor.db'), clock, triggers: false });
  await sendAccepted(t, '/v1/page', { anonymousId: 'reader-1', name: 'Home', properties: {} });
});

afterEach(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

type Json = Record<string, unknown>;

function post(url: string, body: Json, writeKey = t.writeKey) {
  return t.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', authorization: basic(writeKey) },
    payload: JSON.stringify(body),
  });
}

/** Decides the two demo placements for `reader-1`, leaving the exposures to the page; their proofs by placement. */
async function decideOnView(messageId: string): Promise<Record<string, string>> {
  const reply = await post('/v1/decide', {
    anonymousId: 'reader-1',
    placements: ['home_banner', 'offer_block'],
    context: { location: { city: 'Bangalore' } },
    exposure: 'on_view',
    messageId,
  });
  expect(reply.statusCode, reply.body).toBe(200);
  const placements = reply.json().placements as Record<string, { exposure: string }>;
  return Object.fromEntries(Object.entries(placements).map(([key, value]) => [key, value.exposure]));
}

async function exposures(): Promise<Json[]> {
  const reply = await t.app.inject({
    method: 'GET',
    url: '/v1/profiles/anonymous_id:reader-1/exposures',
    headers: { authorization: bearer(t.adminKey) },
  });
  return reply.json().exposures;
}

describe('exposures recorded when seen', () => {
  it('records nothing at decide, then each placement the page reports, once, as seen at the report', async () => {
    const proofs = await decideOnView('v1');
    expect(await exposures()).toEqual([]);
    clock.advance(5_000);
    const report = await post('/v1/exposures', { exposures: [proofs['offer_block'], proofs['offer_block']] });
    expect(report.json()).toEqual({ recorded: 2, refused: 0 });
    expect(await exposures()).toEqual([
      expect.objectContaining({
        placement: 'offer_block',
        variant: 'default',
        anonymous_id: 'reader-1',
        decision_id: 'dcd-v1',
        at: new Date(NOW + 5_000).toISOString(),
      }),
    ]);
  });

  it("refuses proofs of another workspace's key, expired ones and garbage", async () => {
    const proofs = await decideOnView('v2');
    const foreign = await post('/v1/exposures', { exposures: [proofs['home_banner']] }, 'wk_other');
    expect(foreign.json()).toEqual({ recorded: 0, refused: 1 });
    const garbage = await post('/v1/exposures', {
      exposures: ['x.y', 'no-dot', `${proofs['home_banner']}x`],
    });
    expect(garbage.json()).toEqual({ recorded: 0, refused: 3 });
    clock.advance(EXPOSURE_PROOF_TTL_MS + 1);
    const late = await post('/v1/exposures', { exposures: [proofs['home_banner']] });
    expect(late.json()).toEqual({ recorded: 0, refused: 1 });
    expect(await exposures()).toEqual([]);
  });

  it('keeps recording at decide by default, and refuses an unknown exposure mode', async () => {
    const reply = await post('/v1/decide', {
      anonymousId: 'reader-1',
      placements: ['home_banner'],
      messageId: 'v3',
    });
    expect(reply.json().placements['home_banner']).not.toHaveProperty('exposure');
    expect((await exposures()).map((e) => e['decision_id'])).toEqual(['dcd-v3']);
    const bad = await post('/v1/decide', {
      anonymousId: 'reader-1',
      placements: ['home_banner'],
      exposure: 'later',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('INVALID_DECIDE_REQUEST');
    const unauthenticated = await t.app.inject({
      method: 'POST',
      url: '/v1/exposures',
      headers: { 'content-type': 'application/json' },
      payload: '{"exposures":[]}',
    });
    expect(unauthenticated.statusCode).toBe(401);
  });
});
