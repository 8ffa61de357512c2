import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ensureWorkspaceKeys, readSavedKeys } from '../../src/app/workspace-keys.ts';
import { createKey, listKeys, revokeKey } from '../../src/cli/keys-command.ts';
import { hashKey } from '../../src/engine/api-keys.ts';
import { KeyRing } from '../../src/http/key-ring.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { spawnTailor, stopTailor } from '../support/spawn-tailor.ts';
import { basic, bearer, openTestTailor, type TestTailor, tempDir } from '../support/test-tailor.ts';

const identify = { userId: 'u1', traits: { first_name: 'Ada' } };

async function track(t: TestTailor, writeKey: string): Promise<number> {
  const reply = await t.app.inject({
    method: 'POST',
    url: '/v1/identify',
    headers: { 'content-type': 'application/json', authorization: basic(writeKey) },
    payload: JSON.stringify(identify),
  });
  return reply.statusCode;
}

async function admin(
  t: TestTailor,
  input: { method: 'GET' | 'POST' | 'DELETE'; url: string; key?: string; body?: unknown },
) {
  return t.app.inject({
    method: input.method,
    url: input.url,
    headers: {
      authorization: bearer(input.key ?? t.adminKey),
      ...(input.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(input.body === undefined ? {} : { payload: JSON.stringify(input.body) }),
  });
}

describe('keys through the admin API', () => {
  let t: TestTailor;
  beforeEach(async () => {
    t = await openTestTailor();
  });
  afterEach(async () => {
    await t.close();
  });

  it('creates a write key that works, lists it without its material, and a revocation refuses it at once', async () => {
    const created = await admin(t, {
      method: 'POST',
      url: '/v1/keys',
      body: { kind: 'write', name: 'web site' },
    });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body).toMatchObject({ kind: 'write', source: 'api', name: 'web site', revoked_at: null });
    expect(body.key).toMatch(/^wk_/);
    expect(body.id).toMatch(/^key_/);
    expect(body.hint).toBe(`wk_…${body.key.slice(-4)}`);
    expect(await track(t, body.key)).toBe(200);

    const listed = await admin(t, { method: 'GET', url: '/v1/keys' });
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(body.key);
    expect(listed.body).not.toContain(hashKey(body.key));
    const mine = listed.json().keys.find((key: { id: string }) => key.id === body.id);
    expect(mine).toEqual({
      id: body.id,
      kind: 'write',
      source: 'api',
      name: 'web site',
      hint: body.hint,
      created_at: '2026-03-01T10:00:00.000Z',
      last_used_at: '2026-03-01T10:00:00.000Z',
      revoked_at: null,
    });
    expect(mine).not.toHaveProperty('key');

    t.clock.advance(1_000);
    const revoked = await admin(t, { method: 'DELETE', url: `/v1/keys/${body.id}` });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ id: body.id, revoked_at: '2026-03-01T10:00:01.000Z' });
    // Same process, same cached key ring, no time passing: refused straight away.
    expect(await track(t, body.key)).toBe(401);
    // The key the test Tailor started with still works.
    expect(await track(t, t.writeKey)).toBe(200);
  });

  it('revokes an admin key at once, but never the last admin key of the workspace', async () => {
    const keys = (await admin(t, { method: 'GET', url: '/v1/keys' })).json().keys;
    const first = keys.find((key: { kind: string }) => key.kind === 'admin');
    const lone = await admin(t, { method: 'DELETE', url: `/v1/keys/${first.id}` });
    expect(lone.statusCode).toBe(409);
    expect(lone.json().code).toBe('LAST_ADMIN_KEY');

    const second = (await admin(t, { method: 'POST', url: '/v1/keys', body: { kind: 'admin' } })).json();
    expect(second.key).toMatch(/^ak_/);
    expect((await admin(t, { method: 'GET', url: '/v1/keys', key: second.key })).statusCode).toBe(200);
    // The new admin key revokes the first one; the first is refused on its very next call.
    expect(
      (await admin(t, { method: 'DELETE', url: `/v1/keys/${first.id}`, key: second.key })).statusCode,
    ).toBe(200);
    const refused = await admin(t, { method: 'GET', url: '/v1/keys' });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().code).toBe('UNKNOWN_ADMIN_KEY');
    expect(
      (await admin(t, { method: 'DELETE', url: `/v1/keys/${second.id}`, key: second.key })).json().code,
    ).toBe('LAST_ADMIN_KEY');
  });

  it('answers with codes: unknown ids, another workspace keys, bad bodies, write keys', async () => {
    const other = await openTestTailor({ workspaces: ['blog'] });
    try {
      const unknown = await admin(t, { method: 'DELETE', url: '/v1/keys/key_nope' });
      expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'KEY_NOT_FOUND']);
      const blogKeys = await other.store.listKeys('blog');
      const blogWrite = blogKeys.find((key) => key.kind === 'write');
      // The same store holds only one workspace here, so use this store's listing of another id.
      const foreign = await admin(t, { method: 'DELETE', url: `/v1/keys/${blogWrite?.id}` });
      expect(foreign.statusCode).toBe(404);
      for (const body of [
        {},
        { kind: 'root' },
        { kind: 'write', name: 'x'.repeat(101) },
        { kind: 'write', name: 5 },
      ]) {
        const reply = await admin(t, { method: 'POST', url: '/v1/keys', body });
        expect([reply.statusCode, reply.json().code]).toEqual([400, 'INVALID_KEY_REQUEST']);
      }
      const byWriteKey = await admin(t, { method: 'GET', url: '/v1/keys', key: t.writeKey });
      expect(byWriteKey.statusCode).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('describes the key routes in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/keys', '/v1/keys/{id}']));
    expect(doc.paths['/v1/keys'].post.responses['201']).toBeDefined();
  });
});

describe('last use of a key', () => {
  it('is written at most once a minute per key, never per request', async () => {
    const t = await openTestTailor();
    try {
      const touch = vi.spyOn(t.store, 'touchKey');
      for (let i = 0; i < 200; i += 1) expect(await track(t, t.writeKey)).toBe(200);
      expect(touch).toHaveBeenCalledTimes(1);
      t.clock.advance(59_000);
      await track(t, t.writeKey);
      expect(touch).toHaveBeenCalledTimes(1);
      t.clock.advance(1_000);
      await track(t, t.writeKey);
      expect(touch).toHaveBeenCalledTimes(2);
      const write = (await t.store.listKeys('shop')).find((key) => key.kind === 'write');
      expect(write?.lastUsedAt).toBe(t.clock.now());
    } finally {
      await t.close();
    }
  });

  it('a revocation by another node reaches this one within the cache lifetime', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const key = await store.addKey({ workspaceId: 'shop', kind: 'write', hash: hashKey('wk_other_node') });
    const ring = new KeyRing(store);
    expect(await ring.lookup('wk_other_node', 0)).toMatchObject({ id: key.id });
    await store.revokeKey({ workspaceId: 'shop', id: key.id, at: 1, keepLastAdmin: false });
    expect(await ring.lookup('wk_other_node', KeyRing.KNOWN_TTL_MS - 1)).toBeDefined();
    expect(await ring.lookup('wk_other_node', KeyRing.KNOWN_TTL_MS)).toBeUndefined();
    await store.close();
  });
});

describe('keys given at start', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('tailor-keys-');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('replace the keys given (or generated) before, and leave keys made through the API', async () => {
    const store = new SqliteStore({ path: `${dir}/tailor.db` });
    try {
      const first = await ensureWorkspaceKeys({
        store,
        dataDir: dir,
        workspaceId: 'shop',
        given: {},
        now: 1,
      });
      expect(first.replaced).toEqual([]);
      const api = await store.addKey({
        workspaceId: 'shop',
        kind: 'write',
        hash: hashKey('wk_made_by_api'),
        hint: 'wk_…_api',
        createdAt: 1,
      });
      // A restart without keys keeps the saved ones.
      const again = await ensureWorkspaceKeys({
        store,
        dataDir: dir,
        workspaceId: 'shop',
        given: {},
        now: 2,
      });
      expect(again.keys).toEqual(first.keys);
      const k1 = { writeKey: 'wk_k1_given_by_env_0001', adminKey: 'ak_k1_given_by_env_0001' };
      const withK1 = await ensureWorkspaceKeys({
        store,
        dataDir: dir,
        workspaceId: 'shop',
        given: k1,
        now: 3,
      });
      expect(withK1.replaced.map((key) => [key.kind, key.source])).toEqual([
        ['write', 'generated'],
        ['admin', 'generated'],
      ]);
      expect(await store.findKey(hashKey(first.keys.writeKey))).toBeUndefined();
      expect(await store.findKey(hashKey(first.keys.adminKey))).toBeUndefined();
      const k2 = { writeKey: 'wk_k2_given_by_env_0002', adminKey: 'ak_k2_given_by_env_0002' };
      await ensureWorkspaceKeys({ store, dataDir: dir, workspaceId: 'shop', given: k2, now: 4 });
      expect(await store.findKey(hashKey(k1.writeKey))).toBeUndefined();
      expect(await store.findKey(hashKey(k1.adminKey))).toBeUndefined();
      expect(await store.findKey(hashKey(k2.writeKey))).toMatchObject({ kind: 'write' });
      expect(await store.findKey(hashKey('wk_made_by_api'))).toMatchObject({ id: api.id });
      expect(await readSavedKeys(dir, 'shop')).toEqual(k2);
      const listed = await store.listKeys('shop');
      const live = listed
        .filter((key) => key.revokedAt === null)
        .map((key) => [key.kind, key.source, key.hint]);
      expect(live.sort()).toEqual([
        ['admin', 'env', 'ak_…0002'],
        ['write', 'api', 'wk_…_api'],
        ['write', 'env', 'wk_…0002'],
      ]);
      // A revoked key given again is refused, rather than silently working or silently not.
      await expect(
        ensureWorkspaceKeys({ store, dataDir: dir, workspaceId: 'shop', given: k1, now: 5 }),
      ).rejects.toThrow('TAILOR_WRITE_KEY is a revoked key');
    } finally {
      await store.close();
    }
  });

  it('a saved key revoked through the API is replaced by a new one at the next start', async () => {
    const store = new SqliteStore({ path: `${dir}/tailor.db` });
    try {
      const first = await ensureWorkspaceKeys({
        store,
        dataDir: dir,
        workspaceId: 'shop',
        given: {},
        now: 1,
      });
      const write = (await store.listKeys('shop')).find((key) => key.kind === 'write');
      await store.revokeKey({ workspaceId: 'shop', id: write?.id ?? '', at: 2, keepLastAdmin: true });
      const next = await ensureWorkspaceKeys({ store, dataDir: dir, workspaceId: 'shop', given: {}, now: 3 });
      expect(next.keys.writeKey).not.toBe(first.keys.writeKey);
      expect(next.keys.adminKey).toBe(first.keys.adminKey);
      expect(await store.findKey(hashKey(next.keys.writeKey))).toMatchObject({ kind: 'write' });
      expect((await readSavedKeys(dir, 'shop'))?.writeKey).toBe(next.keys.writeKey);
    } finally {
      await store.close();
    }
  });

  it('a real restart with new TAILOR_WRITE_KEY / TAILOR_ADMIN_KEY refuses the old ones (401)', async () => {
    const k1 = { TAILOR_WRITE_KEY: 'wk_first_write_key_0001', TAILOR_ADMIN_KEY: 'ak_first_admin_key_0001' };
    const k2 = { TAILOR_WRITE_KEY: 'wk_second_write_key_002', TAILOR_ADMIN_KEY: 'ak_second_admin_key_002' };
    const call = (url: string, env: typeof k1) =>
      Promise.all([
        fetch(`${url}/v1/identify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: basic(env.TAILOR_WRITE_KEY) },
          body: JSON.stringify(identify),
        }).then((reply) => reply.status),
        fetch(`${url}/v1/keys`, { headers: { authorization: bearer(env.TAILOR_ADMIN_KEY) } }).then(
          (reply) => reply.status,
        ),
      ]);
    const first = await spawnTailor({ dataDir: dir, env: k1 });
    try {
      expect(await call(first.url, k1)).toEqual([200, 200]);
    } finally {
      await stopTailor(first);
    }
    const second = await spawnTailor({ dataDir: dir, env: k2 });
    try {
      expect(await call(second.url, k1)).toEqual([401, 401]);
      expect(await call(second.url, k2)).toEqual([200, 200]);
      const listed = await fetch(`${second.url}/v1/keys`, {
        headers: { authorization: bearer(k2.TAILOR_ADMIN_KEY) },
      });
      const text = await listed.text();
      for (const key of [...Object.values(k1), ...Object.values(k2)]) expect(text).not.toContain(key);
    } finally {
      await stopTailor(second);
    }
  }, 120_000);
});

describe('tailor keys', () => {
  it('lists, creates (printing the key once) and revokes through the running server', async () => {
    const t = await openTestTailor();
    try {
      const connection = { url: await t.app.listen({ host: '127.0.0.1', port: 0 }), adminKey: t.adminKey };
      const created = await createKey({ connection, kind: 'write', name: 'app' });
      const key = created.split('\n')[0] ?? '';
      expect(key).toMatch(/^wk_/);
      expect(created).toMatch(/Created write key key_\S+ "app"\. Store it now: it is never shown again/);
      const id = /key (key_\S+)/.exec(created)?.[1] ?? '';
      const list = await listKeys({ connection });
      expect(list).toContain(id);
      expect(list).not.toContain(key);
      expect(list).toMatch(
        new RegExp(
          `^${id}\\s+write\\s+wk_…${key.slice(-4)}\\s+api\\s+created .*never used, active "app"$`,
          'm',
        ),
      );
      expect(await revokeKey({ connection, id })).toMatch(new RegExp(`^Revoked write key ${id} \\(wk_…`));
      expect(await listKeys({ connection })).toMatch(
        new RegExp(`^${id} .*revoked 2026-03-01T10:00:00.000Z "app"$`, 'm'),
      );
      expect(await track(t, key)).toBe(401);
      await expect(revokeKey({ connection, id: 'key_nope' })).rejects.toMatchObject({
        code: 'KEY_NOT_FOUND',
      });
    } finally {
      await t.close();
    }
  });
});
