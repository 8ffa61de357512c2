import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { basic, bearer, openTestTailor, type TestTailor } from '../support/test-tailor.ts';

let t: TestTailor;
beforeEach(async () => {
  t = await openTestTailor({ workspaces: ['shop', 'other'] });
});
afterEach(async () => {
  await t.close();
});

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/json', authorization: basic(t.writeKey), ...headers },
    payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
}

async function profile(ref: string, adminKey = t.adminKey) {
  return t.app.inject({
    method: 'GET',
    url: `/v1/profiles/${encodeURIComponent(ref)}`,
    headers: { authorization: bearer(adminKey) },
  });
}

describe('tracking API', () => {
  it.each([
    ['/v1/identify', { userId: 'u1', traits: { email: 'A@Example.com' } }],
    ['/v1/track', { userId: 'u1', event: 'Order Completed', properties: { revenue: 10 } }],
    ['/v1/page', { anonymousId: 'a1', name: 'Pricing' }],
    ['/v1/screen', { anonymousId: 'a1', name: 'Home' }],
    ['/v1/group', { userId: 'u1', groupId: 'g1' }],
    ['/v1/alias', { userId: 'u1', previousId: 'a1' }],
    ['/v1/i', { userId: 'u1' }],
    ['/v1/t', { userId: 'u1', event: 'Signed Up' }],
    ['/v1/p', { anonymousId: 'a1' }],
    ['/v1/s', { anonymousId: 'a1' }],
    ['/v1/g', { userId: 'u1', groupId: 'g1' }],
    ['/v1/a', { userId: 'u1', previousId: 'a2' }],
  ])('%s answers 200 like Segment and logs the event', async (path, body) => {
    const reply = await post(path, body);
    expect(reply.statusCode).toBe(200);
    expect(reply.json()).toMatchObject({ success: true, accepted: 1, duplicates: 0, rejected: [] });
    expect(await t.store.lastSeq()).toBe(1);
  });

  it('accepts the write key with or without the colon, or in the body', async () => {
    expect(
      (await post('/v1/track', { userId: 'u', event: 'E' }, { authorization: basic(t.writeKey, false) }))
        .statusCode,
    ).toBe(200);
    const inBody = await t.app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({ writeKey: t.writeKey, userId: 'u', event: 'E' }),
    });
    expect(inBody.statusCode).toBe(200);
  });

  it.each([
    ['no key', {}, 401, 'MISSING_WRITE_KEY'],
    ['unknown key', { authorization: basic('wk_nope') }, 401, 'UNKNOWN_WRITE_KEY'],
    ['an admin key used as write key', { authorization: basic('ak_shop') }, 401, 'UNKNOWN_WRITE_KEY'],
  ])('refuses %s', async (_name, headers, status, code) => {
    const reply = await t.app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify({ userId: 'u', event: 'E' }),
    });
    expect(reply.statusCode).toBe(status);
    expect(reply.json().code).toBe(code);
  });

  it('parses JSON whatever the content type, and gzip bodies', async () => {
    const plain = await post('/v1/track', JSON.stringify({ userId: 'u', event: 'E' }), {
      'content-type': 'text/plain',
    });
    expect(plain.statusCode).toBe(200);
    const none = await t.app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { authorization: basic(t.writeKey) },
      payload: JSON.stringify({ userId: 'u', event: 'F' }),
    });
    expect(none.statusCode).toBe(200);
    const zipped = await post(
      '/v1/batch',
      gzipSync(JSON.stringify({ batch: [{ type: 'track', userId: 'u', event: 'G' }] })),
      {
        'content-encoding': 'gzip',
      },
    );
    expect(zipped.statusCode).toBe(200);
    expect(await t.store.lastSeq()).toBe(3);
  });

  it.each([
    ['bad JSON', '/v1/track', '{"userId": "u",', 'INVALID_JSON'],
    ['no identity', '/v1/track', { event: 'E' }, 'MISSING_IDENTITY'],
    ['track without event', '/v1/track', { userId: 'u' }, 'MISSING_EVENT_NAME'],
    [
      'a bad timestamp',
      '/v1/track',
      { userId: 'u', event: 'E', timestamp: 'yesterday' },
      'INVALID_TIMESTAMP',
    ],
    ['an empty batch', '/v1/batch', { batch: [] }, 'EMPTY_BATCH'],
  ])('rejects %s with a 400 and a stable code', async (_name, path, body, code) => {
    const reply = await post(path, body);
    expect(reply.statusCode).toBe(400);
    expect(reply.json().code).toBe(code);
    expect(reply.json().message.length).toBeGreaterThan(10);
    expect(await t.store.lastSeq()).toBe(0);
  });

  it('keeps the good events of a batch and says which were rejected', async () => {
    const reply = await post('/v1/batch', {
      context: { library: { name: 'test' } },
      batch: [
        { type: 'track', userId: 'u1', event: 'Order Completed' },
        { type: 'track', userId: 'u1' },
        { type: 'identify', traits: { email: 'x@y.com' } },
        { type: 'page', anonymousId: 'a1', name: 'Pricing' },
      ],
    });
    expect(reply.statusCode).toBe(200);
    const body = reply.json();
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((r: { index: number; code: string }) => [r.index, r.code])).toEqual([
      [1, 'MISSING_EVENT_NAME'],
      [2, 'MISSING_IDENTITY'],
    ]);
    expect(await t.store.lastSeq()).toBe(2);
  });

  it('answers 400 BATCH_REJECTED with every item when no event of a batch is valid', async () => {
    const reply = await post('/v1/batch', {
      batch: [
        { type: 'track', userId: 'u' },
        { type: 'nope', userId: 'u' },
      ],
    });
    expect(reply.statusCode).toBe(400);
    expect(reply.json().code).toBe('BATCH_REJECTED');
    expect(reply.json().rejected).toHaveLength(2);
  });

  it('rejects a request over 500 KB and an event over 32 KB', async () => {
    const big = 'x'.repeat(600_000);
    const tooBig = await post('/v1/track', { userId: 'u', event: 'E', properties: { big } });
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json().code).toBe('REQUEST_TOO_LARGE');
    const event = await post('/v1/track', {
      userId: 'u',
      event: 'E',
      properties: { big: 'x'.repeat(40_000) },
    });
    expect(event.statusCode).toBe(400);
    expect(event.json().code).toBe('EVENT_TOO_LARGE');
  });

  it('deduplicates by messageId', async () => {
    const body = { userId: 'u', event: 'Order Completed', messageId: 'm-1' };
    expect((await post('/v1/track', body)).json().accepted).toBe(1);
    expect((await post('/v1/track', body)).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    const view = (await profile('user_id:u')).json();
    expect(view.computed.orders).toBe(1);
  });

  it('answers CORS preflights for browser clients', async () => {
    const reply = await t.app.inject({
      method: 'OPTIONS',
      url: '/v1/t',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    expect(reply.statusCode).toBe(204);
    expect(reply.headers['access-control-allow-origin']).toBe('https://shop.example');
  });

  it('a write key only sends to its own workspace', async () => {
    await post('/v1/identify', { userId: 'u1', traits: { email: 'a@b.com' } });
    expect((await profile('user_id:u1')).statusCode).toBe(200);
    expect((await profile('user_id:u1', 'ak_other')).statusCode).toBe(404);
    await post('/v1/identify', { userId: 'u9' }, { authorization: basic('wk_other') });
    expect((await profile('user_id:u9')).statusCode).toBe(404);
    expect((await profile('user_id:u9', 'ak_other')).statusCode).toBe(200);
  });

  it('answers unknown routes with a code', async () => {
    const reply = await post('/v1/nope', {});
    expect(reply.statusCode).toBe(404);
    expect(reply.json().code).toBe('NOT_FOUND');
  });
});
