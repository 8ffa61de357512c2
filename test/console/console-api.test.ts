import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LiveEvents } from '../../src/http/live-events.ts';
import { consoleRoutes } from '../../src/http/routes/console-routes.ts';
import {
  basic,
  bearer,
  openTestTailor,
  sendAccepted,
  type TestTailor,
  tempDir,
} from '../support/test-tailor.ts';

let t: TestTailor;

beforeEach(async () => {
  t = await openTestTailor({ workspaces: ['shop', 'other'] });
});

afterEach(async () => {
  await t.close();
});

/** Reads server-sent messages from a live stream until `count` of them arrived. */
async function readMessages(response: Response, count: number): Promise<{ event: string; data: string }[]> {
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (reader === undefined) throw new Error('no body');
  const messages: { event: string; data: string }[] = [];
  let buffer = '';
  while (messages.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const lines = buffer.slice(0, end).split('\n');
      buffer = buffer.slice(end + 2);
      const event = lines.find((line) => line.startsWith('event: '))?.slice(7);
      const data = lines.find((line) => line.startsWith('data: '))?.slice(6);
      if (event !== undefined && data !== undefined) messages.push({ event, data });
    }
  }
  await reader.cancel();
  return messages;
}

describe('GET /v1/overview', () => {
  it("counts the admin key's workspace only: events per second, profiles, segment sizes, sends", async () => {
    await sendAccepted(t, '/v1/batch', {
      batch: [
        { type: 'track', event: 'Viewed', userId: 'u1' },
        { type: 'track', event: 'Viewed', userId: 'u2' },
      ],
    });
    await t.engine.commit();
    const reply = await t.app.inject({ url: '/v1/overview', headers: { authorization: bearer('ak_shop') } });
    expect(reply.statusCode).toBe(200);
    const body = reply.json();
    expect(body).toMatchObject({
      workspace: 'shop',
      profiles: 2,
      sends: { by_status: { pending: 0, sending: 0, sent: 0, failed: 0, dead: 0 }, dead_letters: 0 },
      rebuild: null,
    });
    expect(body.events.last_minute).toHaveLength(60);
    t.clock.advance(1_000);
    const later = (
      await t.app.inject({ url: '/v1/overview', headers: { authorization: bearer('ak_shop') } })
    ).json();
    expect(later.events.last_minute.at(-1)).toBe(2);
    expect(later.events.per_second).toBeCloseTo(0.2);
    const other = await t.app.inject({ url: '/v1/overview', headers: { authorization: bearer('ak_other') } });
    expect(other.json()).toMatchObject({ workspace: 'other', profiles: 0 });
  });

  it('is refused without an admin key, and to a write key', async () => {
    expect((await t.app.inject({ url: '/v1/overview' })).json().code).toBe('MISSING_ADMIN_KEY');
    const asWriter = await t.app.inject({
      url: '/v1/overview',
      headers: { authorization: bearer('wk_shop') },
    });
    expect(asWriter.statusCode).toBe(401);
  });
});

describe('GET /v1/events/live', () => {
  it("streams the workspace's accepted and refused events, never another workspace's", async () => {
    const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const response = await fetch(`${url}/v1/events/live`, { headers: { authorization: bearer('ak_shop') } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const track = (key: string, batch: unknown[]) =>
      fetch(`${url}/v1/batch`, {
        method: 'POST',
        headers: { authorization: basic(key), 'content-type': 'application/json' },
        body: JSON.stringify({ batch }),
      });
    await track('wk_other', [{ type: 'track', event: 'Secret', userId: 'x' }]);
    await track('wk_shop', [
      { type: 'track', event: 'Seen', userId: 'u1' },
      { type: 'track', userId: 'u1' },
    ]);
    const messages = await readMessages(response, 2);
    expect(messages.map((m) => m.event)).toEqual(['accepted', 'refused']);
    expect(JSON.parse(messages[0]?.data ?? '')).toMatchObject({
      kind: 'accepted',
      event: 'Seen',
      user_id: 'u1',
    });
    expect(JSON.parse(messages[1]?.data ?? '')).toMatchObject({
      kind: 'refused',
      code: 'MISSING_EVENT_NAME',
      path: 'batch[1].event',
    });
  });

  it('is refused to a write key: the public key adds events and reads none', async () => {
    const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const response = await fetch(`${url}/v1/events/live`, { headers: { authorization: bearer('wk_shop') } });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe('UNKNOWN_ADMIN_KEY');
  });

  it('lets the server close while a stream is open', async () => {
    const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const response = await fetch(`${url}/v1/events/live`, { headers: { authorization: bearer('ak_shop') } });
    expect(response.status).toBe(200);
    const started = Date.now();
    await t.app.close();
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('LiveEvents', () => {
  it('builds no entry while nobody listens, and stops once the listener leaves', () => {
    let now = 10_000;
    const live = new LiveEvents(() => now);
    const event = {
      type: 'track' as const,
      messageId: 'm1',
      timestamp: now,
      receivedAt: now,
      event: 'Seen',
      properties: {},
      traits: {},
      context: {},
      integrations: {},
    };
    // A getter that counts reads: entries are built from the event's fields only when someone listens.
    let reads = 0;
    const watched = Object.defineProperty({ ...event }, 'messageId', {
      get: () => {
        reads += 1;
        return 'm1';
      },
    });
    live.published({ workspaceId: 'shop', accepted: [watched], refused: [] });
    expect(reads).toBe(0);
    const got: unknown[] = [];
    const stop = live.listen('shop', (entries) => got.push(...entries));
    live.published({ workspaceId: 'shop', accepted: [watched], refused: [] });
    live.published({ workspaceId: 'other', accepted: [event], refused: [] });
    expect(got).toEqual([expect.objectContaining({ kind: 'accepted', message_id: 'm1' })]);
    stop();
    live.published({ workspaceId: 'shop', accepted: [watched], refused: [] });
    expect(got).toHaveLength(1);
    expect(reads).toBe(1);
    now += 1_000;
    expect(live.rate('shop').last_minute.at(-1)).toBe(3);
  });
});

describe('/console/', () => {
  it('serves the built console without a key, under a policy that runs only its own scripts', async () => {
    const root = tempDir('tailor-console-dist-');
    mkdirSync(join(root, 'assets'));
    writeFileSync(
      join(root, 'index.html'),
      '<!doctype html><script type="module" src="assets/app.js"></script>',
    );
    writeFileSync(join(root, 'assets/app.js'), 'export {};');
    const app = Fastify();
    await app.register(consoleRoutes, { root });
    const page = await app.inject({ url: '/console/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.headers['content-security-policy']).toMatch(/connect-src 'self'/);
    expect(page.headers['cache-control']).toBe('no-cache');
    const script = await app.inject({ url: '/console/assets/app.js' });
    expect(script.headers['cache-control']).toMatch(/immutable/);
    expect((await app.inject({ url: '/console' })).headers.location).toBe('/console/');
    expect((await app.inject({ url: '/console/../package.json' })).statusCode).toBe(404);
    await app.close();
  });

  it('says how to build the console when it was not built', async () => {
    const app = Fastify();
    await app.register(consoleRoutes, { root: tempDir('tailor-console-empty-') });
    const page = await app.inject({ url: '/console/' });
    expect(page.statusCode).toBe(503);
    expect(page.body).toMatch(/npm run build:console/);
    await app.close();
  });

  it('is public on the full server: no admin key asked for the files', async () => {
    const page = await t.app.inject({ url: '/console/' });
    expect([200, 503]).toContain(page.statusCode);
    expect(page.headers['content-type']).not.toMatch(/json/);
  });
});
