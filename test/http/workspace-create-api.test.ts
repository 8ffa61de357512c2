import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/http/server.ts';
import { basic, bearer, openTestTailor, type TestTailor } from '../support/test-tailor.ts';

const OPERATOR_KEY = 'ok_test_operator_key';

let t: TestTailor;
let app: FastifyInstance;
beforeEach(async () => {
  t = await openTestTailor();
  app = await buildServer({ engine: t.engine, operatorKey: OPERATOR_KEY });
});
afterEach(async () => {
  await app.close();
  await t.close();
});

function create(body: unknown, authorization?: string, contentType = 'application/json') {
  return app.inject({
    method: 'POST',
    url: '/v1/workspaces',
    headers: { 'content-type': contentType, ...(authorization === undefined ? {} : { authorization }) },
    payload: JSON.stringify(body),
  });
}

describe('POST /v1/workspaces', () => {
  it('creates a workspace with keys that work for it alone, shown once', async () => {
    // curl's default form type, as `curl -d` sends it.
    const reply = await create(
      { id: 'shop-2', name: 'Second shop' },
      bearer(OPERATOR_KEY),
      'application/x-www-form-urlencoded',
    );
    expect(reply.statusCode, reply.body).toBe(201);
    const created = reply.json();
    expect(created).toMatchObject({ id: 'shop-2', name: 'Second shop', version: 1 });
    expect(created.write_key).toMatch(/^wk_/);
    expect(created.admin_key).toMatch(/^ak_/);

    const workspace = await app.inject({
      method: 'GET',
      url: '/v1/workspace',
      headers: { authorization: bearer(created.admin_key) },
    });
    expect(workspace.json().id).toBe('shop-2');
    const track = await app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { authorization: basic(created.write_key) },
      payload: { userId: 'u-1', event: 'Signed Up' },
    });
    expect(track.statusCode, track.body).toBe(200);
    const keys = await app.inject({
      method: 'GET',
      url: '/v1/keys',
      headers: { authorization: bearer(created.admin_key) },
    });
    const listed = keys
      .json()
      .keys.map((key: { kind: string; source: string }) => `${key.kind} ${key.source}`);
    expect(listed.sort()).toEqual(['admin api', 'write api']);
    expect(keys.body).not.toContain(created.admin_key);
    // The first workspace's admin key still sees only its own.
    const first = await app.inject({
      method: 'GET',
      url: '/v1/workspace',
      headers: { authorization: bearer(t.adminKey) },
    });
    expect(first.json().id).toBe('shop');
  });

  it('names the workspace by its id when no name is given', async () => {
    const reply = await create({ id: 'bare' }, bearer(OPERATOR_KEY));
    expect(reply.statusCode, reply.body).toBe(201);
    expect(reply.json().name).toBe('bare');
  });

  it('refuses an id in use with 409 WORKSPACE_EXISTS, and changes nothing', async () => {
    const again = await create({ id: 'shop' }, bearer(OPERATOR_KEY));
    expect(again.statusCode, again.body).toBe(409);
    expect(again.json().code).toBe('WORKSPACE_EXISTS');
    expect(t.engine.workspace('shop')?.version).toBe(1);
    const twice = await Promise.all([
      create({ id: 'twin' }, bearer(OPERATOR_KEY)),
      create({ id: 'twin' }, bearer(OPERATOR_KEY)),
    ]);
    expect(twice.map((reply) => reply.statusCode).sort()).toEqual([201, 409]);
  });

  it('refuses a bad id with the workspace file rules', async () => {
    const reply = await create({ id: 'Not An Id' }, bearer(OPERATOR_KEY));
    expect(reply.statusCode, reply.body).toBe(400);
    expect(reply.json().code).toBe('INVALID_WORKSPACE');
    expect((await create({}, bearer(OPERATOR_KEY))).json().code).toBe('INVALID_WORKSPACE');
  });

  it('takes the operator key only: an admin key cannot create workspaces', async () => {
    const cases: Array<[string | undefined, string]> = [
      [undefined, 'MISSING_OPERATOR_KEY'],
      [bearer(t.adminKey), 'UNKNOWN_OPERATOR_KEY'],
      [bearer('ok_wrong'), 'UNKNOWN_OPERATOR_KEY'],
      [basic(t.writeKey), 'MISSING_OPERATOR_KEY'],
    ];
    for (const [authorization, code] of cases) {
      const reply = await create({ id: 'intruder' }, authorization);
      expect(reply.statusCode, reply.body).toBe(401);
      expect(reply.json().code).toBe(code);
    }
    expect(t.engine.workspace('intruder')).toBeUndefined();
  });

  it('creates nothing on a server started without an operator key', async () => {
    const reply = await t.app.inject({
      method: 'POST',
      url: '/v1/workspaces',
      headers: { authorization: bearer(OPERATOR_KEY) },
      payload: { id: 'nope' },
    });
    expect(reply.statusCode, reply.body).toBe(401);
    expect(reply.json().code).toBe('UNKNOWN_OPERATOR_KEY');
  });
});
