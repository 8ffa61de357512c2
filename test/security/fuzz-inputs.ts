import { gzipSync } from 'node:zlib';

/** A random source in [0, 1), seeded so a failing run can be replayed. */
export type Random = () => number;

/** One request the fuzzer sends, as `fastify.inject` takes it, and what it is for. */
export interface FuzzRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS';
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  /** What the generator meant to send, for the failure message. */
  label: string;
  /**
   * A decide that names someone (`identifier`, `userId`) without proof: any profile it reveals
   * must be the caller's own, the one its `anonymousId` (when it sent a usable one) names.
   */
  asksForSomeone?: { anonymousId: string | undefined };
  /** The good events of a mixed batch: each must be accepted and stored. */
  good?: string[];
}

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function int(random: Random, max: number): number {
  return Math.floor(random() * max);
}

/** Strings that break naive code: control characters, lone surrogates, prototype names, huge text. */
const EVIL_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\ud83d',
  '😀',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'tailor:forged',
  '../../etc/passwd',
  '<img src=x onerror=alert(1)>',
  "'; DROP TABLE events; --",
  '{{ 7 | times: 7 }}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a secret reference, sent as plain text on purpose
  '${PATH}',
  '%00',
  '\r\n\r\nX-Injected: 1',
  'a'.repeat(300),
  'é'.repeat(11_000),
  '9999-12-31T23:59:59Z',
  '-271821-04-20T00:00:00Z',
  'NaN',
  'Infinity',
];

const EVIL_NUMBERS: readonly number[] = [0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.1, -0];

const RESERVED_NAMES: readonly string[] = [
  'Decision Made',
  'decision made',
  ' Decision  Made ',
  'Content Shown',
  'Message Sent',
  'Message Delivered',
  'Message Read',
  'Message Clicked',
  'Message Replied',
  'Message Failed',
  'Segment Entered',
  'Segment Exited',
  'Lifecycle Stage Changed',
  'Journey Entered',
  'Checkout Abandoned',
];

/** A value nested `depth` levels deep, alternating objects and arrays. */
export function deepValue(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i += 1) value = i % 2 === 0 ? { nest: value } : [value];
  return value;
}

/** Stands in a value for arrays nested that deep; `toJson` writes them out (they are too deep to stringify). */
const DEEP_MARK = 'fuzz-deep-array:';

/** Arrays nested `depth` deep, the most nesting that fits in an event's 32 KB: a mark that `toJson` expands. */
export function deepArray(depth: number): unknown {
  return `${DEEP_MARK}${depth}`;
}

/** JSON text of a fuzz value, with every `deepArray` mark written out as real nesting. */
export function toJson(value: unknown): string {
  const json = JSON.stringify(value) ?? 'null';
  return json.replace(/"fuzz-deep-array:(\d+)"/g, (_mark, depth: string) => {
    const n = Number(depth);
    return `${'['.repeat(n)}${']'.repeat(n)}`;
  });
}

/** A random JSON-ish value: mostly plain, sometimes hostile (deep, huge, odd keys and strings). */
export function randomValue(random: Random, depth = 0): unknown {
  const roll = random();
  if (roll < 0.01) return deepValue(60 + int(random, 400));
  if (roll < 0.02) return deepArray(1_000 + int(random, 8_000));
  if (depth > 4 || roll < 0.35) return randomScalar(random);
  if (roll < 0.55) return Array.from({ length: int(random, 4) }, () => randomValue(random, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = int(random, 5); i > 0; i -= 1) {
    const key = random() < 0.3 ? pick(random, EVIL_STRINGS) : `k${int(random, 20)}`;
    Object.defineProperty(object, key, {
      value: randomValue(random, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return object;
}

function randomScalar(random: Random): unknown {
  const roll = random();
  if (roll < 0.35) return pick(random, EVIL_STRINGS);
  if (roll < 0.55) return pick(random, EVIL_NUMBERS);
  if (roll < 0.65) return random() < 0.5;
  if (roll < 0.72) return null;
  return `v${int(random, 1_000)}`;
}

/** A Segment call with one or more fields replaced by hostile values. */
export function mutatedEvent(random: Random): Record<string, unknown> {
  const event: Record<string, unknown> = {
    type: pick(random, ['track', 'identify', 'page', 'screen', 'group', 'alias', 'bogus', 7]),
    userId: `fz-${int(random, 50)}`,
    anonymousId: `anon-${int(random, 50)}`,
    event: random() < 0.15 ? pick(random, RESERVED_NAMES) : 'Product Viewed',
    properties: { price: 10 },
    traits: { email: `fz${int(random, 50)}@example.com` },
    context: { ip: '203.0.113.9' },
  };
  const fields = [
    'type',
    'userId',
    'anonymousId',
    'previousId',
    'groupId',
    'event',
    'name',
    'properties',
    'traits',
    'context',
    'integrations',
    'timestamp',
    'sentAt',
    'originalTimestamp',
    'messageId',
    'writeKey',
    '__proto__',
  ];
  for (let i = 1 + int(random, 3); i > 0; i -= 1) {
    const field = pick(random, fields);
    Object.defineProperty(event, field, {
      value: randomValue(random),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  if (random() < 0.2) delete event['userId'];
  if (random() < 0.2) delete event['anonymousId'];
  return event;
}

/** A well-formed event that every Tailor must accept and store: its `messageId` is returned to check. */
export function goodEvent(random: Random, n: number): { event: Record<string, unknown>; messageId: string } {
  const messageId = `fuzz-good-${n}`;
  return {
    messageId,
    event: {
      type: 'track',
      messageId,
      userId: `good-${int(random, 20)}`,
      event: 'Order Completed',
      properties: { revenue: 1 + int(random, 100) },
      timestamp: '2026-03-01T09:00:00Z',
    },
  };
}

/** A body as raw bytes: JSON of the value, or broken JSON, gzip of either, or binary noise. */
export function encodeBody(
  random: Random,
  value: unknown,
): { payload: string | Buffer; headers: Record<string, string> } {
  const json = toJson(value);
  const roll = random();
  const type = pick(random, ['application/json', 'text/plain', 'application/x-www-form-urlencoded', '']);
  const headers: Record<string, string> = type === '' ? {} : { 'content-type': type };
  if (roll < 0.08) return { payload: json.slice(0, int(random, json.length)), headers };
  if (roll < 0.12) return { payload: gzipSync(json), headers: { ...headers, 'content-encoding': 'gzip' } };
  if (roll < 0.15)
    return { payload: Buffer.from('not gzip at all'), headers: { ...headers, 'content-encoding': 'gzip' } };
  if (roll < 0.17)
    return {
      payload: json,
      headers: { ...headers, 'content-encoding': pick(random, ['br', 'x-evil', 'gzip, gzip']) },
    };
  if (roll < 0.2)
    return {
      payload: Buffer.from(Array.from({ length: int(random, 200) }, () => int(random, 256))),
      headers,
    };
  if (roll < 0.22) return { payload: `${'['.repeat(100_000)}${']'.repeat(100_000)}`, headers };
  if (roll < 0.24) return { payload: `{"a":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_001)}`, headers };
  return { payload: json, headers };
}
