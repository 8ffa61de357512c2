import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  basic,
  bearer,
  openTestTailor,
  sendAccepted,
  type TestTailor,
  tempDir,
} from '../support/test-tailor.ts';

let t: TestTailor;
let dir: string;
beforeEach(async () => {
  dir = tempDir('tailor-segments-');
  t = await openTestTailor({ workspaces: ['shop', 'other'], path: join(dir, 'tailor.db') });
});
afterEach(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

function admin(method: Method, url: string, body?: unknown, key = t.adminKey) {
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

/** A person who completed `orders` orders. */
async function buyer(userId: string, orders: number, day = '2026-02-20') {
  await sendAccepted(t, '/v1/identify', { userId, traits: { plan: 'pro' }, timestamp: `${day}T08:00:00Z` });
  for (let i = 0; i < orders; i += 1) {
    await sendAccepted(t, '/v1/track', {
      userId,
      event: 'Order Completed',
      properties: { revenue: 100 },
      timestamp: `${day}T09:0${i}:00Z`,
    });
  }
}

const BUYERS = { key: 'buyers', name: 'Buyers', when: { 'computed.orders': { $gte: 1 } } };

async function profileId(userId: string): Promise<string> {
  return (await admin('GET', `/v1/profiles/user_id:${userId}`)).json().id;
}

describe('segments API', () => {
  it('creates a segment, back-filling the events sent before it existed, and keeps it current', async () => {
    await buyer('u1', 2);
    await buyer('u2', 1);
    await sendAccepted(t, '/v1/identify', { userId: 'u3', traits: { plan: 'free' } });

    const created = await admin('POST', '/v1/segments?wait=true', BUYERS);
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json()).toEqual({ key: 'buyers', version: 2, size: 2 });

    const size = await admin('GET', '/v1/segments/buyers/size');
    expect(size.json()).toEqual({ key: 'buyers', size: 2 });
    const members = (await admin('GET', '/v1/segments/buyers/members')).json();
    expect(members.members.map((m: { profile_id: string }) => m.profile_id).sort()).toEqual(
      [await profileId('u1'), await profileId('u2')].sort(),
    );
    expect(members.next_after).toBeNull();

    const own = (await admin('GET', '/v1/profiles/user_id:u1/segments')).json();
    expect(own.profile_id).toBe(await profileId('u1'));
    expect(own.segments).toEqual([{ key: 'buyers', entered_at: expect.any(String) }]);
    const view = (await admin('GET', '/v1/profiles/user_id:u1')).json();
    expect(own.segments[0].entered_at).toBe(view.segments.buyers.entered_at);
    const listed = members.members.find((m: { profile_id: string }) => m.profile_id === own.profile_id);
    expect(listed.entered_at).toBe(own.segments[0].entered_at);
    expect((await admin('GET', '/v1/profiles/user_id:u3/segments')).json().segments).toEqual([]);

    await buyer('u3', 1, '2026-03-01');
    expect((await admin('GET', '/v1/segments/buyers/size')).json().size).toBe(3);
    const third = (await admin('GET', '/v1/profiles/user_id:u3/segments')).json();
    expect(third.segments.map((s: { key: string }) => s.key)).toEqual(['buyers']);

    const one = (await admin('GET', '/v1/segments/buyers')).json();
    expect(one).toEqual({ ...BUYERS, description: null, size: 3, backfill: null });
    const list = (await admin('GET', '/v1/segments')).json();
    expect(list).toEqual({ segments: [{ ...BUYERS, description: null, size: 3 }] });
  });

  it('pages through members', async () => {
    for (const id of ['a', 'b', 'c', 'd', 'e']) await buyer(id, 1);
    await admin('POST', '/v1/segments?wait=true', BUYERS);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const query: string = after === null ? '' : `&after=${encodeURIComponent(after)}`;
      const page = (await admin('GET', `/v1/segments/buyers/members?limit=2${query}`)).json();
      expect(page.members.length).toBeLessThanOrEqual(2);
      seen.push(...page.members.map((m: { profile_id: string }) => m.profile_id));
      after = page.next_after;
    } while (after !== null);
    expect(new Set(seen).size).toBe(5);
    expect((await admin('GET', '/v1/segments/buyers/members?limit=0')).statusCode).toBe(400);
    expect((await admin('GET', '/v1/segments/buyers/members?limit=1001')).statusCode).toBe(400);
  });

  it('answers 202 at once and shows the back-fill running until it is done', async () => {
    await buyer('u1', 1);
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const read = t.store.readEvents.bind(t.store);
    const spy = vi.spyOn(t.store, 'readEvents').mockImplementation(async (query) => {
      await gate;
      return read(query);
    });

    const accepted = await admin('POST', '/v1/segments', BUYERS);
    expect(accepted.statusCode, accepted.body).toBe(202);
    const body = accepted.json();
    expect(body).toMatchObject({ key: 'buyers', version: 2, backfill: { status: 'running', done: 0 } });
    expect(body.backfill.total).toBeGreaterThan(0);
    const running = (await admin('GET', '/v1/segments/buyers')).json();
    expect(running.backfill).toEqual({ status: 'running', done: 0, total: body.backfill.total });
    expect(running.size).toBe(0);
    expect((await admin('GET', '/v1/segments')).json().segments[0].size).toBe(0);
    expect((await admin('GET', '/v1/segments/buyers/members')).json().members).toEqual([]);

    release();
    await t.engine.commit();
    spy.mockRestore();
    const done = (await admin('GET', '/v1/segments/buyers')).json();
    expect(done.backfill).toBeNull();
    expect(done.size).toBe(1);
  });

  it('keeps concurrent edits of one workspace', async () => {
    const replies = await Promise.all([
      admin('POST', '/v1/segments', BUYERS),
      admin('POST', '/v1/segments', { key: 'pros', when: { 'traits.plan': 'pro' } }),
      admin('PUT', '/v1/segments/big', { when: { 'computed.orders': { $gte: 3 } } }),
    ]);
    expect(replies.map((reply) => reply.statusCode)).toEqual([202, 202, 202]);
    expect(replies.map((reply) => reply.json().version).sort()).toEqual([2, 3, 4]);
    await t.engine.commit();
    const keys = (await admin('GET', '/v1/segments')).json().segments.map((s: { key: string }) => s.key);
    expect(keys.sort()).toEqual(['big', 'buyers', 'pros']);
  });

  it('replaces a segment, which changes its membership', async () => {
    await buyer('u1', 2);
    await buyer('u2', 1);
    await admin('POST', '/v1/segments?wait=true', BUYERS);
    const replaced = await admin('PUT', '/v1/segments/buyers?wait=true', {
      name: 'Repeat buyers',
      description: 'Two orders or more',
      when: { 'computed.orders': { $gte: 2 } },
    });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.json()).toEqual({ key: 'buyers', version: 3, size: 1 });
    const members = (await admin('GET', '/v1/segments/buyers/members')).json().members;
    expect(members.map((m: { profile_id: string }) => m.profile_id)).toEqual([await profileId('u1')]);
    expect((await admin('GET', '/v1/profiles/user_id:u2/segments')).json().segments).toEqual([]);
    const one = (await admin('GET', '/v1/segments/buyers')).json();
    expect(one).toMatchObject({ name: 'Repeat buyers', description: 'Two orders or more', size: 1 });
    const created = await admin('PUT', '/v1/segments/pros?wait=true', {
      key: 'pros',
      when: { 'traits.plan': 'pro' },
    });
    expect(created.json()).toEqual({ key: 'pros', version: 4, size: 2 });
  });

  it('deletes a segment, and refuses while another segment tests it', async () => {
    await buyer('u1', 1);
    await admin('POST', '/v1/segments?wait=true', BUYERS);
    await admin('POST', '/v1/segments?wait=true', {
      key: 'pro_buyers',
      when: { $inSegment: 'buyers', 'traits.plan': 'pro' },
    });
    expect((await admin('GET', '/v1/segments/pro_buyers/size')).json().size).toBe(1);

    const refused = await admin('DELETE', '/v1/segments/buyers');
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      code: 'SEGMENT_IN_USE',
      details: [
        { path: 'segments.pro_buyers.when.$inSegment', message: expect.stringContaining('`buyers`') },
      ],
    });

    const deleted = await admin('DELETE', '/v1/segments/pro_buyers?wait=true');
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expect((await admin('GET', '/v1/segments/pro_buyers')).json().code).toBe('SEGMENT_NOT_FOUND');
    expect((await admin('GET', '/v1/profiles/user_id:u1/segments')).json().segments).toEqual([
      { key: 'buyers', entered_at: expect.any(String) },
    ]);
    expect((await admin('DELETE', '/v1/segments/buyers')).statusCode).toBe(204);
    await t.engine.commit();
    expect((await admin('GET', '/v1/segments')).json().segments).toEqual([]);
    expect((await admin('GET', '/v1/profiles/user_id:u1/segments')).json().segments).toEqual([]);
  });

  it('previews a draft condition without saving it', async () => {
    await buyer('u1', 2);
    await buyer('u2', 1);
    await sendAccepted(t, '/v1/identify', { userId: 'u3', traits: { plan: 'free' } });
    await admin('POST', '/v1/segments?wait=true', BUYERS);

    const preview = await admin('POST', '/v1/segments/preview', { when: { 'computed.orders': { $gte: 2 } } });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json()).toEqual({ matched: 1, total: 3, sample: [await profileId('u1')] });
    const list = (await admin('GET', '/v1/segments')).json().segments;
    expect(list.map((s: { key: string; size: number }) => [s.key, s.size])).toEqual([['buyers', 2]]);
    expect((await admin('GET', '/v1/workspace')).json().version).toBe(2);

    const performed = await admin('POST', '/v1/segments/preview', {
      when: { $performed: { event: 'Order Completed', count: { $gte: 1 } } },
    });
    expect(performed.statusCode, performed.body).toBe(200);
    expect(performed.json()).toMatchObject({ matched: 2, total: 3 });
    const pro = await admin('POST', '/v1/segments/preview', {
      when: { $inSegment: 'buyers', 'traits.plan': 'pro' },
    });
    expect(pro.json()).toMatchObject({ matched: 2, total: 3 });
    expect((await admin('GET', '/v1/segments/buyers/size')).json().size).toBe(2);
  });
});

describe('segments API errors', () => {
  async function expectError(
    reply: Awaited<ReturnType<typeof admin>>,
    status: number,
    code: string,
    path?: string,
  ) {
    expect(reply.statusCode, reply.body).toBe(status);
    const body = reply.json();
    expect(body.code).toBe(code);
    if (path !== undefined) expect(body.details.map((d: { path: string }) => d.path)).toContain(path);
    return body;
  }

  it('answers SEGMENT_NOT_FOUND for an unknown key', async () => {
    for (const [method, url] of [
      ['GET', '/v1/segments/nope'],
      ['GET', '/v1/segments/nope/size'],
      ['GET', '/v1/segments/nope/members'],
      ['DELETE', '/v1/segments/nope'],
    ] as const) {
      await expectError(await admin(method, url), 404, 'SEGMENT_NOT_FOUND');
    }
  });

  it('answers SEGMENT_EXISTS when creating a key that exists', async () => {
    await admin('POST', '/v1/segments?wait=true', BUYERS);
    await expectError(await admin('POST', '/v1/segments', BUYERS), 409, 'SEGMENT_EXISTS', 'key');
  });

  it('checks a segment like the workspace file, with paths inside the body', async () => {
    const post = (body: unknown) => admin('POST', '/v1/segments', body);
    const operator = await expectError(
      await post({ key: 'hot', when: { $and: [{ 'computed.orders': { $gtee: 1 } }] } }),
      400,
      'INVALID_SEGMENT',
      'when.$and[0]["computed.orders"].$gtee',
    );
    expect(operator.details[0].message).toContain('$gtee');
    await expectError(
      await post({ key: 'hot', when: { 'scores.intent': { $gte: 10 } } }),
      400,
      'INVALID_SEGMENT',
      'when["scores.intent"]',
    );
    await expectError(
      await post({ key: 'hot', when: { 'properties.plan': 'pro' } }),
      400,
      'INVALID_SEGMENT',
      'when["properties.plan"]',
    );
    const unknown = await expectError(
      await post({ key: 'hot', whn: { 'traits.plan': 'pro' } }),
      400,
      'INVALID_SEGMENT',
      'whn',
    );
    expect(JSON.stringify(unknown.details)).toContain('did you mean `when`');
    await expectError(
      await post({ key: 'Hot', when: { 'traits.plan': 'pro' } }),
      400,
      'INVALID_SEGMENT',
      'key',
    );
    await expectError(
      await post({ key: 'hot', when: { $inSegment: 'vp' } }),
      400,
      'INVALID_SEGMENT',
      'when.$inSegment',
    );
    await expectError(await post([1]), 400, 'INVALID_SEGMENT', '(root)');
    await expectError(
      await admin('PUT', '/v1/segments/hot', { key: 'cold', when: { 'traits.plan': 'pro' } }),
      400,
      'INVALID_SEGMENT',
      'key',
    );
    expect((await admin('GET', '/v1/segments')).json().segments).toEqual([]);
    expect((await admin('GET', '/v1/workspace')).json().version).toBe(1);
  });

  it('refuses a cycle of segments', async () => {
    await admin('POST', '/v1/segments?wait=true', { key: 'a', when: { 'traits.plan': 'pro' } });
    await admin('POST', '/v1/segments?wait=true', { key: 'b', when: { $inSegment: 'a' } });
    const cycle = await expectError(
      await admin('PUT', '/v1/segments/a', { when: { $inSegment: 'b' } }),
      400,
      'INVALID_SEGMENT',
      'when.$inSegment',
    );
    expect(cycle.details[0].message).toContain('a → b → a');
  });

  it('answers INVALID_CONDITION for an invalid preview', async () => {
    await expectError(
      await admin('POST', '/v1/segments/preview', { when: { 'traits.age': { $gt: [] } } }),
      400,
      'INVALID_CONDITION',
      'when["traits.age"].$gt',
    );
    await expectError(await admin('POST', '/v1/segments/preview', {}), 400, 'INVALID_CONDITION', 'when');
  });

  it('refuses write keys and missing keys', async () => {
    await admin('POST', '/v1/segments?wait=true', BUYERS);
    const withWriteKey = await t.app.inject({
      method: 'GET',
      url: '/v1/segments',
      headers: { authorization: basic(t.writeKey) },
    });
    expect(withWriteKey.statusCode).toBe(401);
    const writeAsBearer = await admin('POST', '/v1/segments', { ...BUYERS, key: 'x' }, t.writeKey);
    await expectError(writeAsBearer, 401, 'UNKNOWN_ADMIN_KEY');
    const none = await t.app.inject({ method: 'GET', url: '/v1/segments/buyers' });
    await expectError(none, 401, 'MISSING_ADMIN_KEY');
    const preview = await admin('POST', '/v1/segments/preview', { when: {} }, t.writeKey);
    await expectError(preview, 401, 'UNKNOWN_ADMIN_KEY');
  });

  it("never shows another workspace's segments", async () => {
    await buyer('u1', 1);
    await admin('POST', '/v1/segments?wait=true', BUYERS);
    const other = 'ak_other';
    expect((await admin('GET', '/v1/segments', undefined, other)).json()).toEqual({ segments: [] });
    for (const url of ['/v1/segments/buyers', '/v1/segments/buyers/size', '/v1/segments/buyers/members']) {
      await expectError(await admin('GET', url, undefined, other), 404, 'SEGMENT_NOT_FOUND');
    }
    await expectError(
      await admin('DELETE', '/v1/segments/buyers', undefined, other),
      404,
      'SEGMENT_NOT_FOUND',
    );
    await expectError(
      await admin('GET', '/v1/profiles/user_id:u1/segments', undefined, other),
      404,
      'PROFILE_NOT_FOUND',
    );
    const preview = (await admin('POST', '/v1/segments/preview', { when: {} }, other)).json();
    expect(preview).toEqual({ matched: 0, total: 0, sample: [] });
    expect((await admin('GET', '/v1/segments/buyers/size')).json().size).toBe(1);
  });

  it('documents every route in OpenAPI under the segments tag', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const routes: [string, string][] = [
      ['/v1/segments', 'get'],
      ['/v1/segments', 'post'],
      ['/v1/segments/preview', 'post'],
      ['/v1/segments/{key}', 'get'],
      ['/v1/segments/{key}', 'put'],
      ['/v1/segments/{key}', 'delete'],
      ['/v1/segments/{key}/members', 'get'],
      ['/v1/segments/{key}/size', 'get'],
      ['/v1/profiles/{ref}/segments', 'get'],
    ];
    for (const [path, method] of routes) {
      const operation = doc.paths[path]?.[method];
      expect(operation?.tags, `${method} ${path}`).toEqual(['segments']);
      expect(operation.summary).toBeTruthy();
    }
    expect(doc.paths['/v1/segments'].post.requestBody).toBeDefined();
  });
});
