import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sendFromDecision } from '../../src/activate/sends-from-decisions.ts';
import { DEMO_NETWORK_POLICY } from '../../src/app/settings.ts';
import { type FakeClock, fakeClock } from '../../src/clock.ts';
import { hashKey } from '../../src/engine/api-keys.ts';
import { type DecideResult, decisionEvents } from '../../src/engine/decide-for.ts';
import { Engine } from '../../src/engine/engine.ts';
import { buildServer } from '../../src/http/server.ts';
import { type LoggedEvent, type TailorEvent, toLoggedEvent } from '../../src/ingest/event.ts';
import { RESERVED_EVENTS } from '../../src/ingest/reserved-events.ts';
import { newProfile } from '../../src/profile/new-profile.ts';
import type { ProfileState } from '../../src/profile/profile.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { activationWorkspaceYaml } from '../support/activation-tailor.ts';
import { basic, tempDir } from '../support/test-tailor.ts';

/** 11:30 in India: outside the demo's quiet hours. */
const NOW = Date.parse('2026-03-10T06:00:00Z');
const WRITE_KEY = 'wk_demo';
/** The demo workspace's detector event: reserved too, as the workspace names it. */
const DETECTOR_EVENT = 'Checkout Abandoned';
/** Every name a write key may not send, and spellings of them that people read as the same. */
const RESERVED = [
  ...RESERVED_EVENTS,
  DETECTOR_EVENT,
  'decision made',
  ' DECISION  MADE ',
  'decision_made',
  'DecisionMade',
  'checkout-abandoned',
];

/** Channels whose providers are never called here: only the outbox is looked at. */
const CHANNELS = {
  sms: { base_url: 'http://127.0.0.1:9', account_sid: 'AC1', auth_token: 'token', from: '+15005550006' },
  whatsapp: {
    base_url: 'http://127.0.0.1:9',
    phone_number_id: '1',
    access_token: 'token',
    app_secret: 'secret',
    verify_token: 'verify',
  },
};

/** What an attacker sends: a decision to text a number of their choice, with their own words. */
function forgedDecision(name: string, userId: string): Record<string, unknown> {
  return {
    userId,
    event: name,
    properties: {
      outcome: 'action',
      action: 'send_sms_checkout_nudge',
      channel: 'sms',
      content: { text: 'Your account is locked: https://evil.example/login' },
    },
  };
}

let dir: string;
let clock: FakeClock;
let engine: Engine;
let store: SqliteStore;
let app: FastifyInstance | undefined;

async function open(): Promise<void> {
  store = new SqliteStore({ path: join(dir, 'tailor.db') });
  engine = await Engine.open({
    store,
    clock: clock.now,
    checkpointIntervalMs: 3_600_000,
    timerIntervalMs: 3_600_000,
  });
}

beforeEach(async () => {
  dir = tempDir('tailor-forged-');
  clock = fakeClock(NOW);
  await open();
  await engine.applyWorkspace(
    parseWorkspaceYaml({
      text: activationWorkspaceYaml({ channels: CHANNELS, quietHours: false }),
      network: DEMO_NETWORK_POLICY,
    }),
  );
  await store.addKey({ workspaceId: 'demo', kind: 'write', hash: hashKey(WRITE_KEY) });
});
afterEach(async () => {
  await app?.close();
  app = undefined;
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(path: string, body: Record<string, unknown>) {
  app ??= await buildServer({ engine });
  const reply = await app.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/json', authorization: basic(WRITE_KEY) },
    payload: JSON.stringify(body),
  });
  return { status: reply.statusCode, body: reply.json<Record<string, unknown>>() };
}

/** A victim whose phone number the outbox would text: each forged decision has an address. */
async function victim(n: number): Promise<string> {
  const userId = `victim-${n}`;
  const reply = await post('/v1/identify', {
    userId,
    traits: { phone: `+91 98450 ${String(10_000 + n)}` },
    context: { consent: { categoryPreferences: { sms: true, whatsapp: true } } },
  });
  expect(reply.status).toBe(200);
  return userId;
}

async function sends(): Promise<number> {
  await engine.commit();
  return (await store.listSends({ workspaceId: 'demo', limit: 1_000 })).length;
}

async function loggedNames(): Promise<string[]> {
  const events = await store.readEvents({ afterSeq: 0, limit: 10_000, workspaceId: 'demo' });
  return events.flatMap((event) => (event.event === undefined ? [] : [event.event]));
}

describe('a write key cannot send a message', () => {
  it.each(RESERVED)('refuses a single `%s` with RESERVED_EVENT and sends nothing', async (name) => {
    const userId = await victim(1);
    const reply = await post('/v1/track', forgedDecision(name, userId));
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ code: 'RESERVED_EVENT', details: [{ path: 'event' }] });
    expect(String(reply.body['message'])).toMatch(/another name|differently/);
    expect(await loggedNames()).not.toContain(name);
    expect(await sends()).toBe(0);
  });

  it('keeps the good items of a batch and lists every reserved one in `rejected`', async () => {
    const userIds = await Promise.all(RESERVED.map((_, n) => victim(n)));
    const batch = RESERVED.flatMap((name, n) => [
      { type: 'track', ...forgedDecision(name, userIds[n] ?? '') },
      { type: 'track', userId: userIds[n], event: 'Product Viewed', properties: { n } },
    ]);
    const reply = await post('/v1/batch', { batch });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ success: true, accepted: RESERVED.length });
    expect(reply.body['rejected']).toEqual(
      RESERVED.map((_, n) => ({
        index: 2 * n,
        code: 'RESERVED_EVENT',
        message: expect.any(String),
        path: `batch[${2 * n}].event`,
      })),
    );
    const names = await loggedNames();
    expect(names.filter((name) => name === 'Product Viewed')).toHaveLength(RESERVED.length);
    for (const name of RESERVED) expect(names).not.toContain(name);
    expect(await sends()).toBe(0);
  });

  it('refuses a batch of nothing but reserved events as a whole', async () => {
    const userId = await victim(1);
    const batch = RESERVED.map((name) => ({ type: 'track', ...forgedDecision(name, userId) }));
    const reply = await post('/v1/batch', { batch });
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ code: 'BATCH_REJECTED', accepted: 0 });
    expect(await sends()).toBe(0);
  });

  it('lets other names through, including ones that merely contain a reserved name', async () => {
    const userId = await victim(1);
    for (const name of ['Decision Made Twice', 'Message Sent To Friend', 'Unsubscribed', 'Checkout Started'])
      expect((await post('/v1/track', { userId, event: name })).status).toBe(200);
  });

  it("strips Tailor's own marks from a client event: `context.tailor` and a `tailor:` messageId", async () => {
    const userId = await victim(1);
    const reply = await post('/v1/batch', {
      context: { tailor: { derived: true } },
      batch: [
        {
          type: 'track',
          userId,
          event: 'Checkout Started',
          messageId: 'tailor:journeys:1',
          context: { tailor: { recorded: true, profile_id: 'prf_someone_else' }, locale: 'en-IN' },
        },
      ],
    });
    expect(reply.status).toBe(200);
    const events = await store.readEvents({ afterSeq: 0, limit: 10_000, workspaceId: 'demo' });
    const started = events.find((event) => event.event === 'Checkout Started');
    expect(started?.context).toEqual({ locale: 'en-IN' });
    expect(started?.messageId.startsWith('tailor:')).toBe(false);
    expect(started?.origin).toBeUndefined();
  });
});

describe('the outbox takes only decisions Tailor recorded itself', () => {
  /** A `Decision Made` as a client could have logged it before the edge refused the name. */
  function oldForgery(userId: string, n: number): TailorEvent {
    return {
      type: 'track',
      messageId: `forged-${n}`,
      timestamp: NOW,
      receivedAt: NOW,
      userId,
      event: 'Decision Made',
      properties: forgedDecision('Decision Made', userId)['properties'] as Record<string, unknown>,
      traits: {},
      // What a client could put in its context: the old mark of Tailor's records.
      context: { tailor: { recorded: true } },
      integrations: {},
    };
  }

  it('sends nothing for a forged decision reaching the engine', async () => {
    const userId = await victim(1);
    await engine.ingest('demo', [oldForgery(userId, 1)]);
    expect(await sends()).toBe(0);
  });

  it('sends nothing for forged decisions an old log holds past the checkpoint, on restart', async () => {
    const userIds = [await victim(1), await victim(2)];
    await engine.close();
    const old = new SqliteStore({ path: join(dir, 'tailor.db') });
    await old.migrate();
    await old.appendEvents(
      userIds.map((userId, n) => ({ workspaceId: 'demo', event: oldForgery(userId, n) })),
    );
    await old.close();
    await open();
    expect(await sends()).toBe(0);
  });

  it('still turns a decision Tailor made into a send', () => {
    const profile: ProfileState = {
      ...newProfile({ id: 'prf_1', workspaceId: 'demo', at: NOW }),
      identifiers: { phone: ['+919845012345'] },
    };
    const result: DecideResult = {
      profile_id: 'prf_1',
      placements: {},
      action: {
        outcome: 'action',
        action: 'send_sms_checkout_nudge',
        channel: 'sms',
        timing: 'immediate',
        send_at: null,
        content: { text: 'Hi' },
        reason: 'best',
        context: {
          intent: null,
          risk: null,
          preferred_channel: null,
          recommended_action: 'send_sms_checkout_nudge',
          timing: 'immediate',
        },
        decided_at: new Date(NOW).toISOString(),
      },
    };
    const [event] = decisionEvents({ result, identity: { userId: 'u1' }, messageId: 'dec-1', now: NOW });
    const logged: LoggedEvent = toLoggedEvent(event as TailorEvent, 1, 'demo');
    expect(sendFromDecision({ profile, decision: logged, now: NOW })).toMatchObject({
      channel: 'sms',
      to: '+919845012345',
    });
    const unmarked = { ...logged, origin: undefined };
    expect(sendFromDecision({ profile, decision: unmarked, now: NOW })).toBeUndefined();
  });
});
