import { createHmac } from 'node:crypto';
import { CALL_PATHS } from '../../src/ingest/route-calls.ts';
import { basic, bearer } from '../support/test-tailor.ts';
import {
  deepValue,
  encodeBody,
  type FuzzRequest,
  goodEvent,
  mutatedEvent,
  type Random,
  randomValue,
  toJson,
} from './fuzz-inputs.ts';

/** What the fuzzer may know: the public write key, the workspace, and a counter for good events. */
export interface FuzzTarget {
  writeKey: string;
  workspace: string;
  nextGood: () => number;
}

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** The credentials an attacker holding only the public write key can send: it, garbage, or none. */
function writeKeyAuth(random: Random, target: FuzzTarget): Record<string, string> {
  const roll = random();
  if (roll < 0.8) return { authorization: basic(target.writeKey) };
  if (roll < 0.85) return { authorization: basic(target.writeKey, false) };
  if (roll < 0.9) return { authorization: bearer(target.writeKey) };
  if (roll < 0.95) return { authorization: `Basic ${pick(random, ['', '!!!', 'Og==', '\u00ff'])}` };
  return {};
}

/** A tracking call (any of `/v1/<path>`), single or batch, with hostile fields and good items mixed in. */
function trackingRequest(random: Random, target: FuzzTarget): FuzzRequest {
  const path = pick(random, Object.keys(CALL_PATHS));
  const batch = CALL_PATHS[path] === 'batch';
  const good: string[] = [];
  let body: unknown;
  if (batch) {
    const items: unknown[] = [];
    for (let i = Math.floor(random() * 6); i >= 0; i -= 1) {
      if (random() < 0.4) {
        const made = goodEvent(random, target.nextGood());
        good.push(made.messageId);
        items.push(made.event);
      } else items.push(random() < 0.8 ? mutatedEvent(random) : randomValue(random));
    }
    const envelope = random();
    if (envelope < 0.7) body = { batch: items };
    else if (envelope < 0.9)
      body = { batch: items, sentAt: randomValue(random), context: randomValue(random) };
    else body = randomValue(random);
    // Only an intact envelope promises its good items: a bad one fails the whole request.
    if (envelope >= 0.7) good.length = 0;
  } else body = random() < 0.9 ? mutatedEvent(random) : randomValue(random);
  const encoded = encodeBody(random, body);
  // Good items only count when the body reaches the server intact as JSON and with the key.
  const intact = typeof encoded.payload === 'string' && encoded.payload === toJson(body);
  const auth = writeKeyAuth(random, target);
  const authorised = auth['authorization'] === basic(target.writeKey);
  return {
    method: 'POST',
    url: `/v1/${path}`,
    headers: { ...encoded.headers, ...auth },
    payload: encoded.payload,
    label: `tracking /v1/${path}`,
    ...(intact && authorised && !('content-encoding' in encoded.headers) && good.length > 0 ? { good } : {}),
  };
}

/** A `POST /v1/decide` with the write key: hostile who, context and placements. */
function decideRequest(random: Random, target: FuzzTarget): FuzzRequest {
  const body: Record<string, unknown> = {
    anonymousId: random() < 0.7 ? `anon-${Math.floor(random() * 50)}` : randomValue(random),
    placements: random() < 0.7 ? ['home_banner', 'offer_block'] : randomValue(random),
    actions: random() < 0.5 ? true : randomValue(random),
    context: random() < 0.5 ? { location: { city: 'Bangalore' } } : randomValue(random),
  };
  if (random() < 0.3)
    body['identifier'] = pick(random, ['email:fz1@example.com', 'phone:+919845012345', ':', 'x']);
  if (random() < 0.2) body['userId'] = randomValue(random);
  if (random() < 0.1) body['context'] = deepValue(70 + Math.floor(random() * 500));
  for (const field of ['profileId', 'trace', 'record', 'userToken', '__proto__']) {
    if (random() < 0.05) body[field] = randomValue(random);
  }
  const encoded = encodeBody(random, random() < 0.9 ? body : randomValue(random));
  return {
    method: 'POST',
    url: '/v1/decide',
    headers: { ...encoded.headers, ...writeKeyAuth(random, target) },
    payload: encoded.payload,
    label: 'decide',
    ...('identifier' in body || 'userId' in body
      ? {
          asksForSomeone: {
            anonymousId: typeof body['anonymousId'] === 'string' ? body['anonymousId'] : undefined,
          },
        }
      : {}),
  };
}

/** Provider callbacks without the provider's secret: forged, unsigned, badly signed, malformed. */
function webhookRequest(random: Random, target: FuzzTarget): FuzzRequest {
  const workspace = random() < 0.9 ? target.workspace : pick(random, ['nope', '%00', '..', 'a'.repeat(300)]);
  const roll = random();
  if (roll < 0.2) {
    const query = new URLSearchParams({
      'hub.mode': pick(random, ['subscribe', '', 'x']),
      'hub.verify_token': pick(random, ['', 'guess', '\u0000']),
      'hub.challenge': pick(random, ['123', '<script>', '']),
    });
    return {
      method: 'GET',
      url: `/v1/webhooks/${encodeURIComponent(workspace)}/whatsapp?${query}`,
      headers: {},
      label: 'whatsapp verify',
    };
  }
  if (roll < 0.6) {
    const body = toJson({
      object: 'whatsapp_business_account',
      entry: [{ changes: [{ value: randomValue(random), field: 'messages' }] }],
    });
    const signature = pick(random, [
      'none',
      'sha256=00',
      `sha256=${createHmac('sha256', 'guessed-secret').update(body).digest('hex')}`,
      'md5=abc',
    ]);
    return {
      method: 'POST',
      url: `/v1/webhooks/${encodeURIComponent(workspace)}/whatsapp`,
      headers: {
        'content-type': pick(random, ['application/json', 'text/plain']),
        ...(signature === 'none' ? {} : { 'x-hub-signature-256': signature }),
      },
      payload: random() < 0.9 ? body : body.slice(0, 20),
      label: 'whatsapp callback',
    };
  }
  const params = new URLSearchParams({
    MessageSid: 'SM1',
    MessageStatus: pick(random, ['delivered', 'failed', 'bogus']),
    From: pick(random, ['+919845012345', 'whatsapp:+1', '\u0000']),
    Body: pick(random, ['STOP', 'hi', '']),
  });
  return {
    method: 'POST',
    url: `/v1/webhooks/${encodeURIComponent(workspace)}/twilio/${pick(random, ['status', 'inbound', 'other'])}`,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(random() < 0.7 ? { 'x-twilio-signature': pick(random, ['', 'AAAA', 'x'.repeat(28)]) } : {}),
    },
    payload: params.toString(),
    label: 'twilio callback',
  };
}

/** Email link clicks and unsubscribes with made-up tokens. */
function emailLinkRequest(random: Random): FuzzRequest {
  const token = pick(random, ['x', 'a.b.c', 'eyJ0eXAiOiJKV1QifQ.e30.', '%00', 'A'.repeat(2_000), '..%2f..']);
  const kind = pick(random, ['c', 'u']);
  const method = kind === 'u' && random() < 0.5 ? 'POST' : 'GET';
  return {
    method,
    url: `/v1/${kind}/${token}`,
    headers: method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
    ...(method === 'POST' ? { payload: 'List-Unsubscribe=One-Click' } : {}),
    label: `email link ${kind}`,
  };
}

/** Admin routes tried with the public write key (or nothing): each must answer 401. */
export const ADMIN_ROUTES: readonly { method: FuzzRequest['method']; url: string }[] = [
  { method: 'GET', url: '/v1/profiles/email:fz1@example.com' },
  { method: 'GET', url: '/v1/profiles/user_id:fz-1/events' },
  { method: 'GET', url: '/v1/profiles/user_id:fz-1/merges' },
  { method: 'GET', url: '/v1/profiles/user_id:fz-1/export' },
  { method: 'DELETE', url: '/v1/profiles/user_id:fz-1' },
  { method: 'POST', url: '/v1/profiles/user_id:fz-1/decide' },
  { method: 'GET', url: '/v1/profiles/user_id:fz-1/segments' },
  { method: 'GET', url: '/v1/profiles/user_id:fz-1/journeys' },
  { method: 'POST', url: '/v1/decide/simulate' },
  { method: 'GET', url: '/v1/workspace' },
  { method: 'PUT', url: '/v1/workspace' },
  { method: 'GET', url: '/v1/audit' },
  { method: 'GET', url: '/v1/segments' },
  { method: 'POST', url: '/v1/segments' },
  { method: 'POST', url: '/v1/segments/preview' },
  { method: 'GET', url: '/v1/segments/high_intent_leads/members' },
  { method: 'DELETE', url: '/v1/segments/high_intent_leads' },
  { method: 'GET', url: '/v1/journeys' },
  { method: 'GET', url: '/v1/sends' },
  { method: 'POST', url: '/v1/sends/x/redrive' },
];

function adminRequest(random: Random, target: FuzzTarget): FuzzRequest {
  const route = pick(random, ADMIN_ROUTES);
  const body = encodeBody(random, randomValue(random));
  const auth = pick<Record<string, string>>(random, [
    { authorization: bearer(target.writeKey) },
    { authorization: basic(target.writeKey) },
    { authorization: 'Bearer ' },
    {},
  ]);
  return {
    method: route.method,
    url: route.url,
    headers: { ...(route.method === 'GET' || route.method === 'DELETE' ? {} : body.headers), ...auth },
    ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: body.payload }),
    label: `admin ${route.method} ${route.url} without an admin key`,
  };
}

function strayRequest(random: Random): FuzzRequest {
  const url = pick(random, [
    '/',
    '/health',
    '/openapi.json',
    '/v1',
    '/v1/',
    '/v1/constructor',
    '/v1/__proto__',
    '/v1/track/../../admin',
    `/v1/${'x'.repeat(5_000)}`,
    '/v1/profiles/',
    '/%E0%A4%A',
  ]);
  return {
    method: pick(random, ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']),
    url,
    headers: {},
    label: `stray ${url}`,
  };
}

/** One random request against the public surface, weighted toward what a write key reaches. */
export function fuzzRequest(random: Random, target: FuzzTarget): FuzzRequest {
  const roll = random();
  if (roll < 0.55) return trackingRequest(random, target);
  if (roll < 0.7) return decideRequest(random, target);
  if (roll < 0.82) return webhookRequest(random, target);
  if (roll < 0.88) return emailLinkRequest(random);
  if (roll < 0.96) return adminRequest(random, target);
  return strayRequest(random);
}
