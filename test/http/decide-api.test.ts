import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { whatsAppStatusWebhook } from '../../src/activate/local/local-whatsapp.ts';
import { DEMO_WHATSAPP } from '../../src/cli/demo-providers.ts';
import { type FakeClock, fakeClock } from '../../src/clock.ts';
import { timerRecord } from '../../src/engine/timer-record.ts';
import { userToken } from '../../src/identity/user-token.ts';
import type { LoggedEvent } from '../../src/ingest/event.ts';
import { isJsonObject } from '../../src/ingest/merge-objects.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import {
  DEMO_IDENTITY_SECRET,
  deliverDemoWebhooks,
  eventually,
  openDemoTailor,
  sendDemoStory,
} from '../support/demo-tailor.ts';
import { basic, bearer, sendAccepted, type TestTailor, tempDir } from '../support/test-tailor.ts';

/** 11:30 in India: outside the demo's quiet hours (21:00–09:00 Asia/Kolkata). */
const NOW = Date.parse('2026-03-10T06:00:00Z');
const MINUTE = 60_000;
const REMINDER = 'send_personalized_checkout_reminder';
/** The demo's checkout_recovery journey decides at its first step when Checkout Abandoned starts it. */
const TRIGGER = 'journey:checkout_recovery:remind';

let t: TestTailor;
let clock: FakeClock;
let dir: string;
let path: string;

/**
 * Opens `t` on a fresh database with the demo workspace; `triggers: false` leaves out its
 * `decision_triggers`. A decision with an action counts as a contact from the moment it is
 * recorded, so after the demo's `Checkout Abandoned` triggers the WhatsApp reminder, an explicit
 * decision for the same person meets its cool-down and the WhatsApp cap: the tests of explicit
 * decisions run without triggers, the tests of triggers keep them.
 */
async function open(triggers: boolean): Promise<void> {
  dir = tempDir('tailor-decide-');
  path = join(dir, 'tailor.db');
  clock = fakeClock(NOW);
  t = await openDemoTailor({ path, clock, triggers });
}

afterEach(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

type Json = Record<string, unknown>;

function at(minutesAgo: number): string {
  return new Date(NOW - minutesAgo * MINUTE).toISOString();
}

/**
 * `POST /v1/decide` with a write key as HTTP Basic username (none when `key` is null), as a page
 * of the logged-in person calls it: a `userId` goes with its identity token, which the shop's
 * server made with the demo workspace's verification secret.
 */
function decide(body: Json, key: string | null = t.writeKey) {
  const token =
    typeof body['userId'] === 'string' && body['userToken'] === undefined
      ? { userToken: userToken(DEMO_IDENTITY_SECRET, body['userId']) }
      : {};
  return t.app.inject({
    method: 'POST',
    url: '/v1/decide',
    headers: {
      'content-type': 'application/json',
      ...(key === null ? {} : { authorization: basic(key) }),
    },
    payload: JSON.stringify({ ...body, ...token }),
  });
}

function admin(method: 'GET' | 'POST', url: string, body?: Json, key = t.adminKey) {
  return t.app.inject({
    method,
    url,
    headers: {
      authorization: bearer(key),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

/** A profile's whole timeline, newest first. */
async function timeline(ref: string): Promise<LoggedEvent[]> {
  const reply = await admin('GET', `/v1/profiles/${encodeURIComponent(ref)}/events?limit=1000`);
  expect(reply.statusCode, reply.body).toBe(200);
  return reply.json().events;
}

/** The events Tailor recorded about decisions it served (`context.tailor.recorded`). */
function recorded(events: readonly LoggedEvent[]): LoggedEvent[] {
  return events.filter((event) => {
    const tailor = event.context['tailor'];
    return isJsonObject(tailor) && tailor['recorded'] === true;
  });
}

function triggered(events: readonly LoggedEvent[]): LoggedEvent[] {
  return events.filter((event) => event.event === 'Decision Made' && event.properties['trigger'] === TRIGGER);
}

/**
 * Sends the demo story, fires the detector's timer and waits for its `Checkout Abandoned` and,
 * when the workspace has decision triggers, for the decision it triggers.
 */
async function demoPerson(): Promise<void> {
  await sendDemoStory(t, NOW);
  await t.engine.fireDueTimers();
  const triggers = t.engine.workspace('demo')?.definition.decisions?.triggers.length ?? 0;
  await eventually(async () => {
    const events = await timeline('user_id:USR_4096');
    if (!events.some((event) => event.event === 'Checkout Abandoned')) return undefined;
    return triggers === 0 || triggered(events).length > 0 ? true : undefined;
  });
}

/**
 * A recorded event as a barrier: the decide API logs its `Decision Made` without waiting, in the
 * order asked, through `engine.record`; once this event, recorded the same way after them, is on
 * the timeline (as `barrier-<seed>`), every earlier one is too.
 */
async function barrier(
  userId: string,
  seed: string,
  type: 'user_id' | 'anonymous_id' = 'user_id',
): Promise<void> {
  const now = clock.now();
  t.engine.record('demo', [
    {
      type: 'track',
      messageId: `barrier-${seed}`,
      timestamp: now,
      receivedAt: now,
      ...(type === 'user_id' ? { userId } : { anonymousId: userId }),
      event: 'Test Barrier',
      properties: {},
      traits: {},
      context: {},
      integrations: {},
    },
  ]);
  await eventually(async () => {
    const events = await timeline(`${type}:${userId}`);
    return events.some((event) => event.messageId === `barrier-${seed}`) ? true : undefined;
  });
}

/** Someone who started a checkout 50 minutes ago and left: the demo's reminder applies to them. */
async function abandoner(userId: string, traits: Json, consent: Json): Promise<void> {
  await sendAccepted(t, '/v1/identify', {
    userId,
    traits: { first_name: userId, ...traits },
    context: { consent: { categoryPreferences: consent } },
    timestamp: at(120),
  });
  await sendAccepted(t, '/v1/track', {
    userId,
    event: 'Checkout Started',
    properties: { plan: 'monthly' },
    timestamp: at(50),
  });
}

describe('POST /v1/decide', () => {
  beforeEach(() => open(false));

  it('gives the demo person their checkout reminder on WhatsApp, now', async () => {
    await demoPerson();
    const reply = await decide({
      userId: 'USR_4096',
      actions: true,
      placements: ['home_banner', 'offer_block'],
      context: { location: { city: 'Mumbai' } },
    });
    expect(reply.statusCode, reply.body).toBe(200);
    const body = reply.json();
    expect(body.profile_id).toMatch(/^prf_/);
    expect(body.placements.home_banner.variant).toBe('default');
    expect(body.placements.offer_block.variant).toBe('default');
    expect(body.action).toMatchObject({
      outcome: 'action',
      action: REMINDER,
      channel: 'whatsapp',
      timing: 'immediate',
      send_at: null,
      decided_at: new Date(NOW).toISOString(),
    });
    expect(body.action.content.text).toContain('Meera');
    expect(body.action.content.text).toContain('annual');
    expect(body.action.context).toEqual({
      intent: 'high',
      risk: 'checkout_abandonment',
      preferred_channel: 'whatsapp',
      recommended_action: REMINDER,
      timing: 'immediate',
    });
    expect(body.action.trace).toBeUndefined();
    expect(body.placements.home_banner.trace).toBeUndefined();
  });

  it.each([
    { city: 'Bangalore', variant: 'bangalore', title: 'Namma Bengaluru sale' },
    { city: 'Mumbai', variant: 'default', title: 'Monsoon sale' },
  ])('shows a new visitor from $city the $variant banner', async ({ city, variant, title }) => {
    const reply = await decide({
      anonymousId: `never-seen-${city}`,
      placements: ['home_banner'],
      context: { location: { city, country: 'IN' } },
    });
    expect(reply.statusCode, reply.body).toBe(200);
    const body = reply.json();
    expect(body.profile_id).toBeNull();
    expect(body.placements.home_banner).toMatchObject({ variant, content: { title } });
    expect(body.action).toBeUndefined();
    if (variant === 'bangalore') expect(body.placements.home_banner.content.body).toContain('Hi there');
  });

  it.each([
    { orders: 2, variant: 'loyalty' },
    { orders: 1, variant: 'welcome' },
    { orders: 0, variant: 'default' },
  ])('fills offer_block for someone with $orders orders: $variant', async ({ orders, variant }) => {
    const userId = `buyer-${orders}`;
    await sendAccepted(t, '/v1/identify', { userId, traits: { first_name: 'Ravi' }, timestamp: at(300) });
    for (let i = 0; i < orders; i += 1)
      await sendAccepted(t, '/v1/track', {
        userId,
        event: 'Order Completed',
        properties: { revenue: 500, order_id: `o-${i}` },
        timestamp: at(200 - i),
      });
    const reply = await decide({ userId, placements: ['offer_block'] });
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json().placements.offer_block.variant).toBe(variant);
    if (variant === 'welcome') expect(reply.json().placements.offer_block.content.title).toContain('Ravi');
  });

  it.each([
    {
      who: 'has an email and consent',
      traits: { email: 'cap-a@example.com', phone: '+91 98450 11111' },
      consent: { email: true, whatsapp: true },
      expected: { outcome: 'action', action: REMINDER, channel: 'email', timing: 'immediate' },
      reason: /^highest priority/,
    },
    {
      who: 'has no email',
      traits: { phone: '+91 98450 22222' },
      consent: { whatsapp: true },
      expected: { outcome: 'no_action', action: null, channel: null, timing: null, content: null },
      reason: /cap: at most 1 whatsapp per 1d .*email: unreachable/,
    },
    {
      who: 'has an email without consent',
      traits: { email: 'cap-c@example.com', phone: '+91 98450 33333' },
      consent: { email: false, whatsapp: true },
      expected: { outcome: 'no_action', action: null, channel: null },
      reason: /cap: at most 1 whatsapp per 1d .*email: consent: email is not granted/,
    },
  ])('caps WhatsApp after a message an hour ago, for someone who $who', async (row) => {
    const userId = `capped-${row.who.replaceAll(' ', '-')}`;
    await abandoner(userId, row.traits, row.consent);
    await t.engine.fireDueTimers();
    // The provider reports the message it sent an hour ago; a write key cannot.
    await deliverDemoWebhooks(t, [
      whatsAppStatusWebhook({
        phoneNumberId: DEMO_WHATSAPP.phoneNumberId,
        wamid: `wamid.${userId}`,
        status: 'sent',
        recipient: row.traits.phone.replaceAll(' ', ''),
        timestamp: NOW - 60 * MINUTE,
      }),
    ]);
    const reply = await decide({ userId, actions: true });
    expect(reply.statusCode, reply.body).toBe(200);
    const action = reply.json().action;
    expect(action).toMatchObject(row.expected);
    expect(action.reason).toMatch(row.reason);
    if (row.expected.channel === 'email') expect(action.content.subject).toBe('Your monthly plan is waiting');
    if (row.expected.outcome === 'no_action') expect(action.context.recommended_action).toBe('no_action');
  });

  it.each([
    {
      when: '22:30 in India',
      at: '2026-03-10T17:00:00Z',
      timing: 'delayed',
      sendAt: '2026-03-11T03:30:00.000Z',
    },
    {
      when: '07:30 in India',
      at: '2026-03-11T02:00:00Z',
      timing: 'delayed',
      sendAt: '2026-03-11T03:30:00.000Z',
    },
    { when: '09:00 in India', at: '2026-03-11T03:30:00Z', timing: 'immediate', sendAt: null },
    {
      when: '22:30 in India, for a request from London (17:00 there)',
      at: '2026-03-10T17:00:00Z',
      timezone: 'Europe/London',
      timing: 'immediate',
      sendAt: null,
    },
  ])('times the reminder by quiet hours at $when', async (row) => {
    await demoPerson();
    clock.set(Date.parse(row.at));
    const reply = await decide({
      userId: 'USR_4096',
      actions: true,
      ...(row.timezone === undefined ? {} : { context: { timezone: row.timezone } }),
    });
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json().action).toMatchObject({
      outcome: 'action',
      action: REMINDER,
      channel: 'whatsapp',
      timing: row.timing,
      send_at: row.sendAt,
      context: { timing: row.timing },
    });
  });

  // Identifier lookups need the admin key: a write key's decide never looks one up (test/security/decide-oracle.test.ts).
  it('finds a person by any identifier, normalized', async () => {
    await demoPerson();
    const profile = (await admin('GET', '/v1/profiles/user_id:USR_4096')).json();
    const actions: string[] = [];
    for (const identifier of ['email:Meera@Example.com', 'phone:+919820155555', 'whatsapp:+919820155555']) {
      const reply = await admin('POST', `/v1/profiles/${encodeURIComponent(identifier)}/decide`, {
        placements: ['home_banner'],
        actions: true,
      });
      expect(reply.statusCode, `${identifier}: ${reply.body}`).toBe(200);
      const body = reply.json();
      expect(body.profile_id, identifier).toBe(profile.id);
      expect(body.action.context, identifier).toMatchObject({ intent: 'high', risk: 'checkout_abandonment' });
      actions.push(body.action.action);
    }
    // The first decision plans the reminder: once recorded, later ones see it as a contact.
    expect(actions[0]).toBe(REMINDER);
  });

  it('records what it served as exposures and a Decision Made event, once per messageId', async () => {
    const body = {
      anonymousId: 'visitor-rec',
      placements: ['home_banner', 'offer_block'],
      actions: true,
      context: { location: { city: 'Bangalore' } },
      messageId: 'req-1',
    };
    expect((await decide(body)).statusCode).toBe(200);
    const first = await eventually(async () => {
      const reply = await admin('GET', '/v1/profiles/anonymous_id:visitor-rec/events');
      if (reply.statusCode !== 200) return undefined;
      const events = recorded(reply.json().events);
      return events.length === 1 ? events : undefined;
    });
    const byId = new Map(first.map((event) => [event.messageId, event]));
    const shown = async () =>
      (
        await t.engine.reads.exposuresByPlacement({
          workspaceId: 'demo',
          placement: 'home_banner',
          limit: 10,
        })
      ).exposures;
    expect(await shown()).toMatchObject([
      {
        profileId: null,
        anonymousId: 'visitor-rec',
        userId: null,
        placement: 'home_banner',
        variant: 'bangalore',
        messageId: 'dcd-req-1',
        at: NOW,
      },
    ]);
    const offers = await t.engine.reads.exposuresByPlacement({
      workspaceId: 'demo',
      placement: 'offer_block',
      limit: 10,
    });
    expect(offers.exposures).toMatchObject([{ variant: 'default', messageId: 'dcd-req-1' }]);
    expect(byId.get('dcd-req-1-decision')).toMatchObject({
      event: 'Decision Made',
      properties: { outcome: 'no_action', recommended_action: 'no_action' },
    });

    // The same request again, now for a known person: the same ids, so nothing new is logged.
    const again = await decide(body);
    const profileId = again.json().profile_id;
    expect(profileId).toMatch(/^prf_/);
    const placementsOnly = await decide({
      ...body,
      placements: ['home_banner'],
      actions: false,
      messageId: 'req-2',
    });
    expect(placementsOnly.statusCode).toBe(200);
    await barrier('visitor-rec', 'req-2', 'anonymous_id');
    const events = recorded(await timeline('anonymous_id:visitor-rec'));
    expect(events.map((event) => event.messageId)).toEqual(['dcd-req-1-decision']);
    expect((await shown()).map((row) => [row.messageId, row.profileId])).toEqual([
      ['dcd-req-2', profileId],
      ['dcd-req-1', null],
    ]);
    // Shown before the visitor had a profile, found through the anonymous id it now holds.
    const mine = await t.engine.reads.exposuresByProfile({ workspaceId: 'demo', profileId, limit: 10 });
    expect(mine.exposures.map((row) => `${row.messageId}/${row.placement}`)).toEqual([
      'dcd-req-2/home_banner',
      'dcd-req-1/offer_block',
      'dcd-req-1/home_banner',
    ]);
  });

  it('accepts a browser body sent as text/plain with the write key inside', async () => {
    const reply = await t.app.inject({
      method: 'POST',
      url: '/v1/decide',
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({
        writeKey: t.writeKey,
        anonymousId: 'browser-1',
        placements: ['home_banner'],
        context: { location: { city: 'Bangalore' } },
      }),
    });
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json().placements.home_banner.variant).toBe('bangalore');
  });

  it("never shows another workspace's write key this workspace's profiles", async () => {
    await demoPerson();
    const reply = await decide(
      { userId: 'USR_4096', actions: true, placements: ['home_banner'] },
      'wk_other',
    );
    expect(reply.statusCode, reply.body).toBe(200);
    const body = reply.json();
    expect(body.profile_id).toBeNull();
    expect(body.placements.home_banner).toMatchObject({ variant: null, content: null, unknown: true });
    expect(body.action).toMatchObject({ outcome: 'no_action', action: null });
    expect(reply.body).not.toContain('Meera');
  });
});

describe('decide errors', () => {
  beforeEach(() => open(true));

  it.each([
    { name: 'trace from a write key', body: { userId: 'u1', actions: true, trace: true }, path: 'trace' },
    { name: 'record from a write key', body: { userId: 'u1', actions: true, record: false }, path: 'record' },
    {
      name: 'profileId from a write key',
      body: { profileId: 'prf_x', actions: true },
      path: 'profileId',
    },
    { name: 'a bad identifier', body: { identifier: 'nonsense', actions: true }, path: 'identifier' },
    { name: 'neither placements nor actions', body: { userId: 'u1' }, path: 'placements' },
    { name: 'an unknown field', body: { userId: 'u1', actions: true, profile: {} }, path: 'profile' },
    { name: 'a context that is no object', body: { actions: true, context: 'x' }, path: 'context' },
  ])('answers 400 INVALID_DECIDE_REQUEST for $name', async ({ body, path: field }) => {
    const reply = await decide(body);
    expect(reply.statusCode, reply.body).toBe(400);
    const error = reply.json();
    expect(error.code).toBe('INVALID_DECIDE_REQUEST');
    expect(error.message).toContain(`\`${field}\``);
    expect(error.details.map((detail: { path: string }) => detail.path)).toContain(field);
  });

  it.each([
    { name: 'no key', key: null, code: 'MISSING_WRITE_KEY' },
    { name: 'an unknown key', key: 'wk_nobody', code: 'UNKNOWN_WRITE_KEY' },
    { name: 'the admin key (it is not a write key)', key: 'ak_demo', code: 'UNKNOWN_WRITE_KEY' },
  ])('answers 401 to /v1/decide with $name', async ({ key, code }) => {
    const reply = await decide({ anonymousId: 'a1', placements: ['home_banner'] }, key);
    expect(reply.statusCode, reply.body).toBe(401);
    expect(reply.json().code).toBe(code);
  });

  it('answers 401 to the admin key sent as writeKey in the body', async () => {
    const reply = await decide(
      { writeKey: t.adminKey, anonymousId: 'a1', placements: ['home_banner'] },
      null,
    );
    expect(reply.statusCode).toBe(401);
    expect(reply.json().code).toBe('UNKNOWN_WRITE_KEY');
  });

  it.each([
    { url: '/v1/profiles/user_id:USR_4096/decide', body: {} },
    { url: '/v1/decide/simulate', body: { userId: 'USR_4096' } },
  ])('refuses a write key on admin $url', async ({ url, body }) => {
    const reply = await admin('POST', url, body, t.writeKey);
    expect(reply.statusCode).toBe(401);
    expect(reply.json().code).toBe('UNKNOWN_ADMIN_KEY');
  });

  it.each(['application/json', 'text/plain'])(
    'answers 400 INVALID_JSON to a broken %s body',
    async (type) => {
      const reply = await t.app.inject({
        method: 'POST',
        url: '/v1/decide',
        headers: { 'content-type': type, authorization: basic(t.writeKey) },
        payload: '{"anonymousId": ',
      });
      expect(reply.statusCode, reply.body).toBe(400);
      expect(reply.json().code).toBe('INVALID_JSON');
    },
  );

  it('refuses to record a simulation', async () => {
    const reply = await admin('POST', '/v1/decide/simulate', { userId: 'USR_4096', record: true });
    expect(reply.statusCode).toBe(400);
    expect(reply.json().code).toBe('INVALID_DECIDE_REQUEST');
    expect(reply.json().details).toEqual([{ path: 'record', message: 'must be false or left out' }]);
  });
});

describe('admin decide and simulate', () => {
  beforeEach(() => open(false));

  it('explains a decision for a known profile and records it', async () => {
    await demoPerson();
    const before = (await timeline('user_id:USR_4096')).length;
    const reply = await admin('POST', '/v1/profiles/email:meera%40example.com/decide', {
      placements: ['home_banner'],
      context: { location: { city: 'Mumbai' } },
    });
    expect(reply.statusCode, reply.body).toBe(200);
    const body = reply.json();
    expect(body.placements.home_banner.trace).toEqual([
      { variant: 'bangalore', holds: false, reads: { 'context.location.city': 'Mumbai' } },
      { variant: 'default', holds: true },
    ]);
    expect(body.action.action).toBe(REMINDER);
    const trace = body.action.trace;
    expect(trace.winner).toEqual({ action: REMINDER, channel: 'whatsapp' });
    const [reminder, followUp] = trace.candidates;
    expect(reminder).toMatchObject({
      action: REMINDER,
      candidate: true,
      priority: 42,
      arithmetic: 'propensity 0.35 × context 1 × value 120 × weight 1 = 42',
      contextWeights: [],
      channels: [{ channel: 'whatsapp', allowed: true }],
    });
    expect(reminder.conditions).toEqual([
      { condition: 'applicability', holds: true },
      { condition: 'suitability', holds: true },
    ]);
    expect(followUp).toMatchObject({
      action: 'send_pricing_follow_up_email',
      candidate: true,
      arithmetic: 'propensity 0.1 × context 1 × value 40 × weight 1 = 4',
    });
    expect(followUp.channels).toBeUndefined();
    expect(trace.timing).toEqual({
      timezone: 'Asia/Kolkata',
      quietHours: { start: '21:00', end: '09:00' },
      sendAt: null,
    });
    // Admin decisions are recorded by default: one Decision Made more (and exposures, apart).
    await eventually(async () =>
      (await timeline('user_id:USR_4096')).length === before + 1 ? true : undefined,
    );
  });

  it('simulates a decision in a given context, explained and never recorded', async () => {
    await demoPerson();
    const before = await timeline('user_id:USR_4096');
    const reply = await admin('POST', '/v1/decide/simulate', {
      userId: 'USR_4096',
      placements: ['home_banner'],
      context: { location: { city: 'Bangalore' } },
    });
    expect(reply.statusCode, reply.body).toBe(200);
    const body = reply.json();
    expect(body.placements.home_banner).toMatchObject({
      variant: 'bangalore',
      trace: [{ variant: 'bangalore', holds: true }],
    });
    expect(body.placements.home_banner.content.body).toContain('Hi Meera');
    expect(body.action.trace.winner).toEqual({ action: REMINDER, channel: 'whatsapp' });

    const unknown = await admin('POST', '/v1/decide/simulate', { anonymousId: 'nobody', actions: true });
    expect(unknown.statusCode).toBe(200);
    expect(unknown.json().profile_id).toBeNull();
    // Every action of the demo workspace is a candidate the trace accounts for.
    const actions = t.engine.workspace('demo')?.definition.decisions?.actions.length;
    expect(unknown.json().action.trace.candidates).toHaveLength(actions ?? -1);

    await barrier('USR_4096', 'after-simulate');
    const after = await timeline('user_id:USR_4096');
    expect(after.map((event) => event.messageId)).toEqual([
      'barrier-after-simulate',
      ...before.map((event) => event.messageId),
    ]);
    expect((await admin('GET', '/v1/profiles/anonymous_id:nobody')).statusCode).toBe(404);
  });

  it('answers 404 PROFILE_NOT_FOUND for an unknown reference', async () => {
    const reply = await admin('POST', '/v1/profiles/user_id:nobody/decide', {});
    expect(reply.statusCode).toBe(404);
    expect(reply.json().code).toBe('PROFILE_NOT_FOUND');
  });

  it('documents the three routes in /openapi.json', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.paths['/v1/decide'].post.security).toEqual([{ writeKey: [] }]);
    expect(doc.paths['/v1/profiles/{ref}/decide'].post.security).toEqual([{ adminKey: [] }]);
    expect(doc.paths['/v1/decide/simulate'].post.security).toEqual([{ adminKey: [] }]);
    const body = doc.paths['/v1/decide'].post.requestBody.content['application/json'].schema;
    expect(Object.keys(body.properties)).toEqual(
      expect.arrayContaining(['userId', 'anonymousId', 'identifier', 'context', 'placements', 'actions']),
    );
    expect(body.properties.trace).toBeUndefined();
  });
});

describe('decisions triggered by events', () => {
  beforeEach(() => open(true));

  it('decides once when the timer records Checkout Abandoned, after it on the timeline', async () => {
    await demoPerson();
    const events = await timeline('user_id:USR_4096');
    const decisions = triggered(events);
    expect(decisions).toHaveLength(1);
    const decision = decisions[0] as LoggedEvent;
    const abandoned = events.findIndex((event) => event.event === 'Checkout Abandoned');
    expect(abandoned).toBeGreaterThan(events.indexOf(decision));
    expect(decision.properties).toMatchObject({
      outcome: 'action',
      action: REMINDER,
      channel: 'whatsapp',
      timing: 'immediate',
      trigger: TRIGGER,
    });
    expect(decision.context).toMatchObject({ tailor: { recorded: true } });
  });

  it('counts the triggered reminder as a contact: an explicit decision does not pick it again', async () => {
    await demoPerson();
    const reply = await decide({ userId: 'USR_4096', actions: true, messageId: 'after-trigger' });
    expect(reply.statusCode, reply.body).toBe(200);
    // Another action wins (the demo person also looked at pricing), so the answer's reason is
    // its priority: the trace of the same decision, simulated, says why the reminder lost.
    expect(reply.json().action.action).not.toBe(REMINDER);
    const simulated = await admin('POST', '/v1/decide/simulate', { userId: 'USR_4096', actions: true });
    expect(simulated.statusCode, simulated.body).toBe(200);
    const [reminder] = simulated.json().action.trace.candidates;
    expect(reminder.action).toBe(REMINDER);
    expect(reminder.channels[0]).toMatchObject({ channel: 'whatsapp', allowed: false });
    expect(reminder.channels[0].reason).toMatch(
      /^cooldown: send_personalized_checkout_reminder .* 1d cool-down$/,
    );
    await barrier('USR_4096', 'after-explicit');
    const events = await timeline('user_id:USR_4096');
    expect(events.some((event) => event.messageId === 'dcd-after-trigger-decision')).toBe(true);
    const reminders = events.filter(
      (event) =>
        event.event === 'Decision Made' &&
        event.properties['outcome'] === 'action' &&
        event.properties['action'] === REMINDER,
    );
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.properties['trigger']).toBe(TRIGGER);
  });

  it('stays once after closing and reopening the engine on the same database', async () => {
    await demoPerson();
    await t.close();
    t = await openDemoTailor({ path, clock });
    await t.engine.fireDueTimers();
    await barrier('USR_4096', 'after-reopen');
    expect(triggered(await timeline('user_id:USR_4096'))).toHaveLength(1);
  });

  it('stays once when the log is replayed past the checkpoint after a crash', async () => {
    await sendDemoStory(t, NOW);
    await t.engine.commit();
    await t.engine.fireDueTimers();
    // Wait for the triggered decision in the log itself: the timeline would commit the view.
    await eventually(async () => {
      const logged = await t.store.readEvents({ afterSeq: 0, limit: 1_000, workspaceId: 'demo' });
      return triggered(logged).length > 0 ? true : undefined;
    });
    expect(await t.store.viewCheckpoint()).toBeLessThan(await t.store.lastSeq());
    // The crash: the server stops, the engine is dropped without committing its view, and the
    // file is closed (its writer lock freed) as the OS would.
    await t.app.close();
    await t.store.close();
    t = await openDemoTailor({ path, clock });
    await barrier('USR_4096', 'after-crash');
    expect(triggered(await timeline('user_id:USR_4096'))).toHaveLength(1);
  });

  it('decides after a crash that logged the timer but not the decision, once', async () => {
    await sendDemoStory(t, NOW);
    await t.close();
    // The crash: the timer's record reached the log, the engine stopped before applying it.
    const crashed = new SqliteStore({ path });
    await crashed.appendEvents([{ workspaceId: 'demo', event: timerRecord(NOW) }]);
    await crashed.close();
    t = await openDemoTailor({ path, clock });
    await barrier('USR_4096', 'after-lost-decision');
    const events = await timeline('user_id:USR_4096');
    expect(events.some((event) => event.event === 'Checkout Abandoned')).toBe(true);
    expect(triggered(events)).toHaveLength(1);
    expect(triggered(events)[0]?.properties).toMatchObject({ outcome: 'action', action: REMINDER });
  });

  it('stays once when the workspace is re-applied with a harmless change (rebuild)', async () => {
    await demoPerson();
    const current = t.engine.workspace('demo');
    if (current === undefined) throw new Error('the demo workspace is missing');
    const version = current.version;
    const rebuilt = await t.engine.applyWorkspace({ ...current.definition, name: 'Demo store, renamed' });
    expect(rebuilt.version).toBe(version + 1);
    await t.engine.fireDueTimers();
    await barrier('USR_4096', 'after-rebuild');
    const events = await timeline('user_id:USR_4096');
    expect(triggered(events)).toHaveLength(1);
    const profile = (await admin('GET', '/v1/profiles/user_id:USR_4096')).json();
    expect(profile.risks.checkout_abandonment).toBeDefined();
  });
});
