import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { basic, bearer, openTestTailor, type TestTailor, workspaceYaml } from '../support/test-tailor.ts';

let t: TestTailor;
beforeEach(async () => {
  t = await openTestTailor();
});
afterEach(async () => {
  await t.close();
});

/** curl's default for `-d`, a browser's simple request, and none at all. */
const TYPES: Array<string | undefined> = [
  'application/x-www-form-urlencoded',
  'text/plain',
  'text/plain;charset=UTF-8',
  'application/json',
  undefined,
];

function post(url: string, payload: string, type: string | undefined, authorization: string) {
  return t.app.inject({
    method: 'POST',
    url,
    headers: { authorization, ...(type === undefined ? {} : { 'content-type': type }) },
    payload,
  });
}

describe('request bodies are JSON whatever their Content-Type', () => {
  for (const type of TYPES) {
    it(`reads ${type ?? 'an untyped body'} as JSON on the decide, segment and tracking routes`, async () => {
      const track = await post(
        '/v1/track',
        JSON.stringify({ userId: 'u-1', event: 'Order Completed' }),
        type,
        basic(t.writeKey),
      );
      expect(track.statusCode, track.body).toBe(200);

      const decide = await post(
        '/v1/decide',
        JSON.stringify({ anonymousId: 'a-1', actions: true }),
        type,
        basic(t.writeKey),
      );
      expect(decide.statusCode, decide.body).toBe(200);

      const preview = await post(
        '/v1/segments/preview',
        JSON.stringify({ when: { 'computed.orders': { $gte: 1 } } }),
        type,
        bearer(t.adminKey),
      );
      expect(preview.statusCode, preview.body).toBe(200);
      expect(preview.json()).toMatchObject({ matched: 1 });
    });
  }

  it('answers INVALID_JSON for a body that is not JSON, whatever its type', async () => {
    for (const type of TYPES) {
      const reply = await post('/v1/decide', 'anonymousId=a-1', type, basic(t.writeKey));
      expect(reply.statusCode, `${type}: ${reply.body}`).toBe(400);
      expect(reply.json().code).toBe('INVALID_JSON');
    }
  });

  it('refuses a JSON body that poisons a prototype, whatever its type', async () => {
    const reply = await post(
      '/v1/decide',
      '{"anonymousId":"a-1","__proto__":{"admin":true}}',
      'application/x-www-form-urlencoded',
      basic(t.writeKey),
    );
    expect(reply.statusCode, reply.body).toBe(400);
  });

  it('takes the workspace as YAML or JSON whatever the Content-Type', async () => {
    const yaml = workspaceYaml('shop');
    const json = JSON.stringify({ workspace: { id: 'shop', name: 'Shop as JSON' } });
    for (const type of [...TYPES, 'application/yaml']) {
      for (const body of type === 'application/json' ? [json] : [yaml, json]) {
        const reply = await t.app.inject({
          method: 'PUT',
          url: '/v1/workspace',
          headers: {
            authorization: bearer(t.adminKey),
            ...(type === undefined ? {} : { 'content-type': type }),
          },
          payload: body,
        });
        expect(reply.statusCode, `${type}: ${reply.body}`).toBe(200);
      }
    }
  });
});
