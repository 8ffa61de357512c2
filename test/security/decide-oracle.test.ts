import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeClock } from '../../src/clock.ts';
import { userToken } from '../../src/identity/user-token.ts';
import { DEMO_IDENTITY_SECRET, eventually, openDemoTailor, sendDemoStory } from '../support/demo-tailor.ts';
import { basic, bearer, type TestTailor, tempDir } from '../support/test-tailor.ts';

/** 11:30 in India: outside the demo's quiet hours. */
const NOW = Date.parse('2026-03-10T06:00:00Z');
const MEERA = 'USR_4096';

let t: TestTailor;
let dir: string;

beforeEach(async () => {
  dir = tempDir('tailor-oracle-');
  t = await openDemoTailor({ path: join(dir, 'tailor.db'), clock: fakeClock(NOW), triggers: false });
  await sendDemoStory(t, NOW);
  await t.engine.fireDueTimers();
});
afterEach(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `POST /v1/decide` with the public write key only, as anyone on the internet can call it. */
async function decide(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const reply = await t.app.inject({
    method: 'POST',
    url: '/v1/decide',
    headers: { 'content-type': 'application/json', authorization: basic(t.writeKey), ...headers },
    payload: JSON.stringify({ placements: ['home_banner', 'offer_block'], actions: true, ...body }),
  });
  expect(reply.statusCode, reply.body).toBe(200);
  return reply;
}

/** The answer without the moment it was decided, to compare two answers. */
function comparable(body: string): unknown {
  const answer = JSON.parse(body);
  if (answer.action !== undefined) delete answer.action.decided_at;
  return answer;
}

async function profileId(ref: string): Promise<string | undefined> {
  const reply = await t.app.inject({
    method: 'GET',
    url: `/v1/profiles/${encodeURIComponent(ref)}`,
    headers: { authorization: bearer(t.adminKey) },
  });
  return reply.statusCode === 200 ? reply.json().id : undefined;
}

describe('a write key cannot learn who is a customer through decide', () => {
  it.each([
    ['an email', 'email:meera@example.com'],
    ['a phone', 'phone:+919820155555'],
    ['a WhatsApp id', 'whatsapp:+919820155555'],
    ['a user id as identifier', `user_id:${MEERA}`],
  ])('answers %s lookup exactly as for nobody: no profile id, no trait', async (_, identifier) => {
    expect(await profileId(identifier)).toMatch(/^prf_/);
    const known = await decide({ identifier });
    const unknown = await decide({ identifier: 'email:nobody@example.com' });
    expect(known.json().profile_id).toBeNull();
    expect(known.body).not.toContain('Meera');
    expect(comparable(known.body)).toEqual(comparable(unknown.body));
  });

  it.each([
    ['no token', {}, {}],
    ['a wrong token', { userToken: 'a'.repeat(64) }, {}],
    ["another user's token", { userToken: userToken(DEMO_IDENTITY_SECRET, 'USR_1') }, {}],
    ['a token under another secret', { userToken: userToken('guessed-secret', MEERA) }, {}],
    ['a malformed token', {}, { 'x-tailor-user-token': 'not-hex' }],
  ])('answers a userId with %s as for nobody', async (_, body, headers) => {
    const known = await decide({ userId: MEERA, ...body }, headers);
    const unknown = await decide({ userId: 'USR_nobody', ...body }, headers);
    expect(known.json().profile_id).toBeNull();
    expect(known.body).not.toContain('Meera');
    expect(comparable(known.body)).toEqual(comparable(unknown.body));
  });

  it('never looks the person up for an identifier or an unproved userId: no timing to measure', async () => {
    const peek = vi.spyOn(t.engine.reads, 'peekProfile');
    await decide({ identifier: 'email:meera@example.com' });
    await decide({ userId: MEERA });
    await decide({ userId: MEERA, userToken: 'b'.repeat(64) });
    expect(peek).not.toHaveBeenCalled();
  });

  it('personalizes for a userId with its identity token, in the body or the header', async () => {
    const token = userToken(DEMO_IDENTITY_SECRET, MEERA);
    const id = await profileId(`user_id:${MEERA}`);
    for (const reply of [
      await decide({ userId: MEERA, userToken: token }),
      await decide({ userId: MEERA }, { 'x-tailor-user-token': token }),
    ]) {
      expect(reply.json().profile_id).toBe(id);
      expect(reply.json().action.context).toMatchObject({ risk: 'checkout_abandonment' });
    }
  });

  it("personalizes for the caller's own anonymousId", async () => {
    const reply = await decide({ anonymousId: 'demo-visitor-7f3a' });
    expect(reply.json().profile_id).toBe(await profileId(`user_id:${MEERA}`));
  });

  it("never binds the caller's anonymousId to someone else's profile", async () => {
    await decide({ anonymousId: 'attacker-browser', userId: MEERA, messageId: 'bind-1' });
    await decide({
      anonymousId: 'attacker-browser',
      identifier: 'email:meera@example.com',
      messageId: 'bind-2',
    });
    // The decisions are recorded for the attacker's own browser only, once logged.
    const attacker = await eventually(() => profileId('anonymous_id:attacker-browser'));
    expect(attacker).not.toBe(await profileId(`user_id:${MEERA}`));
    const meera = await t.app.inject({
      method: 'GET',
      url: `/v1/profiles/user_id:${MEERA}`,
      headers: { authorization: bearer(t.adminKey) },
    });
    expect(meera.json().identifiers.anonymous_id).toEqual(['demo-visitor-7f3a']);
  });

  it('still lets an admin key decide for an identifier', async () => {
    const reply = await t.app.inject({
      method: 'POST',
      url: '/v1/decide/simulate',
      headers: { 'content-type': 'application/json', authorization: bearer(t.adminKey) },
      payload: JSON.stringify({ identifier: 'email:meera@example.com', actions: true }),
    });
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json().profile_id).toBe(await profileId(`user_id:${MEERA}`));
  });
});
