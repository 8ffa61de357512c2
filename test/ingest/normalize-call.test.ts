import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../src/errors.ts';
import { BATCH_MAX_EVENTS, MESSAGE_ID_MAX_LENGTH } from '../../src/ingest/ingest-limits.ts';
import { type IngestCall, normalizeCall } from '../../src/ingest/normalize-call.ts';
import { thrownTailorError } from '../support/thrown.ts';

const RECEIVED_AT = Date.parse('2026-03-01T10:00:00.000Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function single(call: IngestCall, body: unknown, rawBytes?: number) {
  return normalizeCall({
    body,
    call,
    receivedAt: RECEIVED_AT,
    ...(rawBytes === undefined ? {} : { rawBytes }),
  });
}

describe('normalizeCall: per-event rules', () => {
  it.each<[string, IngestCall, Record<string, unknown>, ErrorCode, string]>([
    ['no identity', 'track', { event: 'E' }, 'MISSING_IDENTITY', 'userId'],
    ['blank ids', 'identify', { userId: '  ', anonymousId: '' }, 'MISSING_IDENTITY', 'userId'],
    ['null ids', 'page', { userId: null, anonymousId: null }, 'MISSING_IDENTITY', 'userId'],
    ['an object userId', 'identify', { userId: { id: 1 } }, 'INVALID_EVENT', 'userId'],
    ['a boolean anonymousId', 'identify', { userId: 'u', anonymousId: true }, 'INVALID_EVENT', 'anonymousId'],
    ['track without event', 'track', { userId: 'u' }, 'MISSING_EVENT_NAME', 'event'],
    ['track with an empty event', 'track', { userId: 'u', event: '' }, 'MISSING_EVENT_NAME', 'event'],
    ['track with a numeric event', 'track', { userId: 'u', event: 42 }, 'MISSING_EVENT_NAME', 'event'],
    ['alias without previousId', 'alias', { userId: 'u' }, 'MISSING_PREVIOUS_ID', 'previousId'],
    ['alias without userId', 'alias', { previousId: 'a', anonymousId: 'a' }, 'MISSING_PREVIOUS_ID', 'userId'],
    ['group without groupId', 'group', { userId: 'u' }, 'MISSING_GROUP_ID', 'groupId'],
    [
      'properties as an array',
      'track',
      { userId: 'u', event: 'E', properties: [1] },
      'INVALID_EVENT',
      'properties',
    ],
    ['traits as a string', 'identify', { userId: 'u', traits: 'vip' }, 'INVALID_EVENT', 'traits'],
    ['context as a number', 'page', { userId: 'u', context: 3 }, 'INVALID_EVENT', 'context'],
    [
      'integrations as an array',
      'screen',
      { userId: 'u', integrations: [] },
      'INVALID_EVENT',
      'integrations',
    ],
    ['a page name that is not a string', 'page', { userId: 'u', name: 5 }, 'INVALID_EVENT', 'name'],
    [
      'a bad timestamp',
      'track',
      { userId: 'u', event: 'E', timestamp: 'yesterday' },
      'INVALID_TIMESTAMP',
      'timestamp',
    ],
    [
      'a numeric timestamp',
      'track',
      { userId: 'u', event: 'E', timestamp: 1_700_000_000 },
      'INVALID_TIMESTAMP',
      'timestamp',
    ],
    ['a bad sentAt', 'identify', { userId: 'u', sentAt: '2026-13-01' }, 'INVALID_TIMESTAMP', 'sentAt'],
    [
      'a bad originalTimestamp',
      'identify',
      { userId: 'u', originalTimestamp: 'x' },
      'INVALID_TIMESTAMP',
      'originalTimestamp',
    ],
    [
      'an event over 32 KB',
      'track',
      { userId: 'u', event: 'E', properties: { big: 'x'.repeat(33_000) } },
      'EVENT_TOO_LARGE',
      '',
    ],
    [
      'an event over 32 KB only in UTF-8',
      'track',
      { userId: 'u', event: 'E', properties: { big: 'é'.repeat(17_000) } },
      'EVENT_TOO_LARGE',
      '',
    ],
  ])('rejects %s', (_name, call, body, code, path) => {
    const result = single(call, body);
    expect(result.events).toEqual([]);
    expect(result.rejected).toEqual([{ index: 0, code, path, message: expect.any(String) }]);
    expect(result.rejected[0]?.message.length).toBeGreaterThan(15);
  });

  it.each<[string, IngestCall, Record<string, unknown>, Record<string, unknown>]>([
    [
      'a track call',
      'track',
      { userId: 'u', event: 'Order Completed' },
      { userId: 'u', event: 'Order Completed' },
    ],
    ['numeric ids as strings', 'group', { userId: 42, groupId: 7 }, { userId: '42', groupId: '7' }],
    [
      'an anonymous page',
      'page',
      { anonymousId: 'a', name: 'Pricing', category: 'Docs' },
      { name: 'Pricing', category: 'Docs' },
    ],
    ['a screen without a name', 'screen', { userId: 'u', name: null }, { type: 'screen' }],
    ['an alias', 'alias', { userId: 'u', previousId: 'a' }, { userId: 'u', previousId: 'a' }],
    [
      'identify traits at the top',
      'identify',
      { userId: 'u', traits: { plan: 'pro' } },
      { traits: { plan: 'pro' } },
    ],
    [
      'track traits kept in context',
      'track',
      { userId: 'u', event: 'E', context: { traits: { plan: 'pro' } } },
      { traits: {}, context: { traits: { plan: 'pro' } } },
    ],
    ['null objects as empty', 'track', { userId: 'u', event: 'E', properties: null }, { properties: {} }],
    [
      'the URL type over the body type',
      'track',
      { type: 'identify', userId: 'u', event: 'E' },
      { type: 'track' },
    ],
  ])('accepts %s', (_name, call, body, expected) => {
    const result = single(call, body);
    expect(result.rejected).toEqual([]);
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject({
      type: call,
      receivedAt: RECEIVED_AT,
      properties: {},
      traits: {},
      context: {},
      integrations: {},
      ...expected,
    });
  });

  it('skips measuring when the request is known to be small, and measures otherwise', () => {
    const body = { userId: 'u', event: 'E', properties: { big: 'x'.repeat(33_000) } };
    expect(single('track', body, 1_000).events).toHaveLength(1);
    expect(single('track', body, 40_000).rejected[0]?.code).toBe('EVENT_TOO_LARGE');
  });

  it('keeps the writeKey of a single call', () => {
    expect(single('track', { writeKey: 'wk_1', userId: 'u', event: 'E' }).writeKey).toBe('wk_1');
    expect(single('track', { userId: 'u', event: 'E' }).writeKey).toBeUndefined();
  });

  it.each([null, 'text', [1, 2], 3])('throws INVALID_EVENT for a body that is %j', (body) => {
    expect(thrownTailorError(() => single('track', body)).code).toBe('INVALID_EVENT');
  });
});

describe('normalizeCall: messageId', () => {
  it.each<[string, unknown, string | RegExp]>([
    ['keeps a client id', 'm-1', 'm-1'],
    ['trims it', '  m-2 \n', 'm-2'],
    ['keeps one at the length limit', 'm'.repeat(MESSAGE_ID_MAX_LENGTH), 'm'.repeat(MESSAGE_ID_MAX_LENGTH)],
    ['replaces one too long', 'm'.repeat(MESSAGE_ID_MAX_LENGTH + 1), UUID],
    ['replaces a blank one', '   ', UUID],
    ['replaces a number', 12, UUID],
    ['assigns one when absent', undefined, UUID],
  ])('%s', (_name, messageId, expected) => {
    const event = single('track', { userId: 'u', event: 'E', messageId }).events[0];
    if (typeof expected === 'string') expect(event?.messageId).toBe(expected);
    else expect(event?.messageId).toMatch(expected);
  });

  it('assigns a different id to each event', () => {
    const { events } = normalizeCall({
      body: {
        batch: [
          { type: 'track', userId: 'u', event: 'E' },
          { type: 'track', userId: 'u', event: 'E' },
        ],
      },
      call: 'batch',
      receivedAt: RECEIVED_AT,
    });
    expect(events[0]?.messageId).not.toBe(events[1]?.messageId);
  });
});

describe('normalizeCall: time', () => {
  const T = (iso: string) => Date.parse(iso);
  it.each<[string, Record<string, unknown>, number, Record<string, number>]>([
    ['receivedAt when the client sends no time', {}, RECEIVED_AT, {}],
    ['an explicit timestamp as is', { timestamp: '2026-02-01T00:00:00Z' }, T('2026-02-01T00:00:00Z'), {}],
    [
      'an explicit timestamp over the correction',
      {
        timestamp: '2026-02-01T00:00:00Z',
        sentAt: '2026-03-01T09:00:05Z',
        originalTimestamp: '2026-03-01T09:00:00Z',
      },
      T('2026-02-01T00:00:00Z'),
      { sentAt: T('2026-03-01T09:00:05Z'), originalTimestamp: T('2026-03-01T09:00:00Z') },
    ],
    [
      'originalTimestamp corrected for a client clock an hour slow',
      { sentAt: '2026-03-01T09:00:05Z', originalTimestamp: '2026-03-01T09:00:00Z' },
      RECEIVED_AT - 5_000,
      { sentAt: T('2026-03-01T09:00:05Z'), originalTimestamp: T('2026-03-01T09:00:00Z') },
    ],
    [
      'originalTimestamp as is without sentAt',
      { originalTimestamp: '2026-03-01T09:00:00+05:30' },
      T('2026-03-01T03:30:00Z'),
      { originalTimestamp: T('2026-03-01T03:30:00Z') },
    ],
    [
      'receivedAt with only sentAt',
      { sentAt: '2026-03-01T09:00:05Z' },
      RECEIVED_AT,
      { sentAt: T('2026-03-01T09:00:05Z') },
    ],
  ])('uses %s', (_name, times, timestamp, extra) => {
    const event = single('track', { userId: 'u', event: 'E', ...times }).events[0];
    expect(event).toMatchObject({ timestamp, receivedAt: RECEIVED_AT, ...extra });
    if (extra.sentAt === undefined) expect(event).not.toHaveProperty('sentAt');
  });

  it('applies the batch sentAt to items that lack their own', () => {
    const { events } = normalizeCall({
      body: {
        sentAt: '2026-03-01T09:00:10Z',
        batch: [
          { type: 'track', userId: 'u', event: 'A', originalTimestamp: '2026-03-01T09:00:00Z' },
          {
            type: 'track',
            userId: 'u',
            event: 'B',
            originalTimestamp: '2026-03-01T09:00:00Z',
            sentAt: '2026-03-01T09:00:01Z',
          },
        ],
      },
      call: 'batch',
      receivedAt: RECEIVED_AT,
    });
    expect(events.map((e) => RECEIVED_AT - e.timestamp)).toEqual([10_000, 1_000]);
  });
});

describe('normalizeCall: batch', () => {
  function batch(body: Record<string, unknown>) {
    return normalizeCall({ body, call: 'batch', receivedAt: RECEIVED_AT });
  }

  it('keeps the good items and names each bad one by index and path', () => {
    const result = batch({
      writeKey: 'wk_batch',
      batch: [
        { type: 'track', userId: 'u1', event: 'Order Completed' },
        { type: 'track', userId: 'u1' },
        'not an event',
        { type: 'nope', userId: 'u' },
        { userId: 'u', event: 'E' },
        { type: 'identify', traits: { email: 'x@y.com' } },
        { type: 'track', userId: 'u', event: 'E', properties: 'x' },
        { type: 'page', anonymousId: 'a1', name: 'Pricing' },
      ],
    });
    expect(result.writeKey).toBe('wk_batch');
    expect(result.events.map((e) => e.type)).toEqual(['track', 'page']);
    expect(result.rejected.map(({ index, code, path }) => [index, code, path])).toEqual([
      [1, 'MISSING_EVENT_NAME', 'batch[1].event'],
      [2, 'INVALID_EVENT', 'batch[2]'],
      [3, 'INVALID_EVENT', 'batch[3].type'],
      [4, 'INVALID_EVENT', 'batch[4].type'],
      [5, 'MISSING_IDENTITY', 'batch[5].userId'],
      [6, 'INVALID_EVENT', 'batch[6].properties'],
    ]);
  });

  it('deep-merges the envelope context and integrations into each item, the item winning', () => {
    const envelope = {
      context: { library: { name: 'analytics-python', version: '2.0' }, ip: '1.2.3.4' },
      integrations: { All: false, Mixpanel: true },
    };
    const { events } = batch({
      ...envelope,
      batch: [
        { type: 'track', userId: 'u', event: 'A' },
        {
          type: 'track',
          userId: 'u',
          event: 'B',
          context: { library: { version: '3.0' } },
          integrations: { All: true },
        },
      ],
    });
    expect(events[0]?.context).toEqual(envelope.context);
    expect(events[0]?.integrations).toEqual(envelope.integrations);
    expect(events[1]?.context).toEqual({
      library: { name: 'analytics-python', version: '3.0' },
      ip: '1.2.3.4',
    });
    expect(events[1]?.integrations).toEqual({ All: true, Mixpanel: true });
    expect(events[0]?.context).not.toBe(events[1]?.context);
    expect(envelope.context.library.version).toBe('2.0');
  });

  it('drops __proto__ keys and returns fresh objects', () => {
    const body = JSON.parse(
      '{"batch":[{"type":"identify","userId":"u","traits":{"__proto__":{"admin":true},"plan":"pro"}}],' +
        '"context":{"__proto__":{"polluted":true},"ip":"1.2.3.4"}}',
    );
    const event = batch(body).events[0];
    expect(Object.keys(event?.traits ?? {})).toEqual(['plan']);
    expect(Object.keys(event?.context ?? {})).toEqual(['ip']);
    expect(event?.traits).not.toBe(body.batch[0].traits);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, ErrorCode]>([
    ['no batch', {}, 'EMPTY_BATCH'],
    ['an empty batch', { batch: [] }, 'EMPTY_BATCH'],
    ['a batch that is an object', { batch: { type: 'track' } }, 'EMPTY_BATCH'],
    [
      'too many items',
      { batch: Array.from({ length: BATCH_MAX_EVENTS + 1 }, () => ({})) },
      'BATCH_TOO_LARGE',
    ],
    ['an envelope context that is a string', { context: 'x', batch: [{}] }, 'INVALID_EVENT'],
    ['a bad envelope sentAt', { sentAt: 'soon', batch: [{}] }, 'INVALID_TIMESTAMP'],
  ])('throws for %s', (_name, body, code) => {
    expect(thrownTailorError(() => batch(body)).code).toBe(code);
  });

  it('accepts a batch of exactly the limit', () => {
    const items = Array.from({ length: BATCH_MAX_EVENTS }, (_, i) => ({
      type: 'track',
      userId: `u${i}`,
      event: 'E',
    }));
    expect(batch({ batch: items }).events).toHaveLength(BATCH_MAX_EVENTS);
  });
});
