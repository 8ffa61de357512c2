import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JSON_MAX_DEPTH, REQUEST_MAX_BYTES } from '../../src/ingest/ingest-limits.ts';
import { basic, bearer, openTestTailor, type TestTailor } from '../support/test-tailor.ts';

/**
 * What the edge refuses so that nothing it accepted can fail a later append, replay, rebuild or
 * restart: JSON nested past 64 levels, and NUL or unpaired surrogate halves in any string or
 * key. Each refusal is a 400 with a stable code and the JSON path, before anything is written.
 */

let t: TestTailor;
beforeEach(async () => {
  t = await openTestTailor();
});
afterEach(async () => {
  await t.close();
});

function post(path: string, payload: string, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/json', authorization: basic(t.writeKey), ...headers },
    payload,
  });
}

/** `{"a":{"a":…{"a":1}}}` with `levels` objects, as JSON text (built without recursion). */
function nestedText(levels: number): string {
  return `${'{"a":'.repeat(levels - 1)}{"a":1}${'}'.repeat(levels - 1)}`;
}

/** The same as a value, built iteratively. */
function nested(levels: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let node = root;
  for (let level = 1; level < levels; level += 1) {
    const child: Record<string, unknown> = {};
    node.a = child;
    node = child;
  }
  node.a = 1;
  return root;
}

/** `properties.a.a…` down to the first object past the limit, the event being level 1. */
function pathPastLimit(field: string): string {
  return `${field}${'.a'.repeat(JSON_MAX_DEPTH - 1)}`;
}

describe('the edge refuses JSON nested too deep', () => {
  it.each([4_150, 4_200, 80_000])(
    'answers 400 TOO_DEEP with the path for properties %i deep, and logs nothing',
    async (levels) => {
      const reply = await post(
        '/v1/track',
        `{"userId":"u1","event":"Deep","properties":${nestedText(levels)}}`,
      );
      expect(reply.statusCode).toBe(400);
      const body = reply.json();
      expect(body.code).toBe('TOO_DEEP');
      expect(body.details[0].path).toBe(pathPastLimit('properties'));
      expect(body.message).not.toMatch(/stack/i);
      expect(await t.store.lastSeq()).toBe(0);
    },
  );

  it('accepts an event exactly 64 deep and refuses one 65 deep', async () => {
    // The event is level 1 and `properties` level 2: 63 more levels make 64.
    const at = await post(
      '/v1/track',
      JSON.stringify({ userId: 'u1', event: 'E', properties: nested(JSON_MAX_DEPTH - 1) }),
    );
    expect(at.statusCode).toBe(200);
    const past = await post(
      '/v1/track',
      JSON.stringify({ userId: 'u1', event: 'E', properties: nested(JSON_MAX_DEPTH) }),
    );
    expect(past.statusCode).toBe(400);
    expect(past.json().code).toBe('TOO_DEEP');
    expect(await t.store.lastSeq()).toBe(1);
  });

  it('answers 400, not 500, for the deepest array a 500 KB body can hold, quickly', async () => {
    const half = Math.floor((REQUEST_MAX_BYTES - 100) / 2);
    const payload = `{"userId":"u1","event":"E","properties":{"x":${'['.repeat(half)}${']'.repeat(half)}}}`;
    expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(REQUEST_MAX_BYTES);
    const started = performance.now();
    const reply = await post('/v1/track', payload);
    const elapsed = performance.now() - started;
    expect(reply.statusCode).toBe(400);
    expect(reply.json().code).toBe('TOO_DEEP');
    expect(reply.json().details[0].path).toBe(`properties.x${'[0]'.repeat(JSON_MAX_DEPTH - 2)}`);
    expect(elapsed).toBeLessThan(5_000);
  });

  it('refuses only the deep items of a batch and keeps the good ones', async () => {
    const payload = `{"batch":[
      {"type":"track","userId":"u1","event":"Good"},
      {"type":"track","userId":"u2","event":"Deep","properties":${nestedText(5_000)}},
      {"type":"identify","userId":"u3","traits":{"list":[${'['.repeat(70)}${']'.repeat(70)}]}},
      {"type":"track","userId":"u4","event":"Good too"}
    ]}`;
    const reply = await post('/v1/batch', payload);
    expect(reply.statusCode).toBe(200);
    const body = reply.json();
    expect(body.accepted).toBe(2);
    expect(body.rejected).toEqual([
      expect.objectContaining({
        index: 1,
        code: 'TOO_DEEP',
        path: `batch[1].${pathPastLimit('properties')}`,
      }),
      expect.objectContaining({
        index: 2,
        code: 'TOO_DEEP',
        path: `batch[2].traits.list${'[0]'.repeat(JSON_MAX_DEPTH - 2)}`,
      }),
    ]);
    expect(await t.store.lastSeq()).toBe(2);
  });

  it("refuses the whole batch when its envelope's context is too deep", async () => {
    const payload = `{"context":${nestedText(200)},"batch":[{"type":"track","userId":"u1","event":"E"}]}`;
    const reply = await post('/v1/batch', payload);
    expect(reply.statusCode).toBe(400);
    expect(reply.json()).toMatchObject({
      code: 'TOO_DEEP',
      details: [{ path: pathPastLimit('context') }],
    });
    expect(await t.store.lastSeq()).toBe(0);
  });
});

describe('the edge refuses NUL and unpaired surrogate halves', () => {
  it.each([
    ['a NUL in userId', '{"userId":"u\\u0000","event":"E"}', 'userId'],
    ['a lone high surrogate in userId', '{"userId":"\\ud800","event":"E"}', 'userId'],
    ['a lone low surrogate in an event name', '{"userId":"u1","event":"E\\udc00"}', 'event'],
    [
      'a NUL in a nested string',
      '{"userId":"u1","event":"E","properties":{"a":[1,"x\\u0000"]}}',
      'properties.a[1]',
    ],
    ['a NUL in a key', '{"userId":"u1","event":"E","properties":{"a\\u0000b":1}}', 'properties["a\\u0000b"]'],
    [
      'a lone surrogate in a key',
      '{"userId":"u1","event":"E","context":{"\\udfff":1}}',
      'context["\\udfff"]',
    ],
    ['a NUL in messageId', '{"userId":"u1","event":"E","messageId":"m\\u0000"}', 'messageId'],
  ])(
    'answers 400 INVALID_CHARACTERS for %s, with its path, and logs nothing',
    async (_name, payload, path) => {
      const reply = await post('/v1/track', payload);
      expect(reply.statusCode).toBe(400);
      expect(reply.json()).toMatchObject({ code: 'INVALID_CHARACTERS', details: [{ path }] });
      expect(await t.store.lastSeq()).toBe(0);
    },
  );

  it('accepts astral characters (paired surrogates) and odd but valid keys', async () => {
    const reply = await post(
      '/v1/identify',
      JSON.stringify({
        userId: 'u😀1',
        traits: { name: '𝔐𝔞𝔩𝔩𝔬𝔯𝔶 🦊', '': 'empty key', constructor: 'c', ['k'.repeat(2_000)]: 1 },
      }),
    );
    expect(reply.statusCode).toBe(200);
    const profile = await t.app.inject({
      method: 'GET',
      url: `/v1/profiles/${encodeURIComponent('user_id:u😀1')}`,
      headers: { authorization: bearer(t.adminKey) },
    });
    expect(profile.statusCode).toBe(200);
    expect(profile.json().traits).toMatchObject({ name: '𝔐𝔞𝔩𝔩𝔬𝔯𝔶 🦊', '': 'empty key', constructor: 'c' });
  });

  it('refuses the bad items of a batch with their paths and keeps the good ones', async () => {
    const payload = `{"batch":[
      {"type":"identify","userId":"u\\u0000x","traits":{"a":1}},
      {"type":"identify","userId":"ok","traits":{"name":"Ada"}},
      {"type":"track","userId":"u2","event":"E","properties":{"\\ud800":1}}
    ]}`;
    const reply = await post('/v1/batch', payload);
    expect(reply.statusCode).toBe(200);
    expect(reply.json()).toMatchObject({
      accepted: 1,
      rejected: [
        { index: 0, code: 'INVALID_CHARACTERS', path: 'batch[0].userId' },
        { index: 2, code: 'INVALID_CHARACTERS', path: 'batch[2].properties["\\ud800"]' },
      ],
    });
    expect(await t.store.lastSeq()).toBe(1);
  });
});

describe('the same guard covers every other JSON body', () => {
  it.each([
    [
      'a deep context',
      'application/json',
      `{"userId":"u1","actions":true,"context":${nestedText(4_200)}}`,
      'TOO_DEEP',
    ],
    [
      'a deep context as text/plain',
      'text/plain',
      `{"userId":"u1","actions":true,"context":${nestedText(4_200)}}`,
      'TOO_DEEP',
    ],
    [
      'a NUL in context',
      'application/json',
      '{"userId":"u1","actions":true,"context":{"page":{"url":"x\\u0000"}}}',
      'INVALID_CHARACTERS',
    ],
    [
      'a lone surrogate in userId',
      'application/json',
      '{"userId":"\\ud800","actions":true}',
      'INVALID_CHARACTERS',
    ],
  ])('POST /v1/decide with %s answers 400', async (_name, contentType, payload, code) => {
    const reply = await post('/v1/decide', payload, { 'content-type': contentType });
    expect(reply.statusCode).toBe(400);
    expect(reply.json().code).toBe(code);
    expect(await t.store.lastSeq()).toBe(0);
  });

  it('admin bodies: a segment nested 40,000 deep is a 400, not a 500', async () => {
    const reply = await t.app.inject({
      method: 'POST',
      url: '/v1/segments',
      headers: { 'content-type': 'application/json', authorization: bearer(t.adminKey) },
      payload: `{"key":"deep","name":"Deep","when":${'{"$and":['.repeat(40_000)}{}${']}'.repeat(40_000)}}`,
    });
    expect(reply.statusCode).toBe(400);
    expect(reply.json().code).toBe('TOO_DEEP');
  });

  it('admin bodies: a NUL in a segment is a 400', async () => {
    const reply = await t.app.inject({
      method: 'POST',
      url: '/v1/segments',
      headers: { 'content-type': 'application/json', authorization: bearer(t.adminKey) },
      payload: '{"key":"nul","name":"N\\u0000","when":{"traits.plan":"pro"}}',
    });
    expect(reply.statusCode).toBe(400);
    expect(reply.json()).toMatchObject({ code: 'INVALID_CHARACTERS', details: [{ path: 'name' }] });
  });
});
