import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeClock } from '../../src/clock.ts';
import { hashKey } from '../../src/engine/api-keys.ts';
import { Engine } from '../../src/engine/engine.ts';
import { buildServer } from '../../src/http/server.ts';
import { TailorMetrics } from '../../src/metrics/tailor-metrics.ts';
import { timedStore } from '../../src/metrics/timed-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { basic, bearer, workspaceYaml } from '../support/test-tailor.ts';

const OPERATOR_KEY = 'ok_metrics_test';

let engine: Engine;
let rawStore: SqliteStore;
let app: Awaited<ReturnType<typeof buildServer>>;
let lines: Record<string, unknown>[];

beforeEach(async () => {
  const metrics = new TailorMetrics();
  const store = new SqliteStore({ path: ':memory:' });
  rawStore = store;
  engine = await Engine.open({
    store: timedStore(store, metrics),
    clock: fakeClock('2026-03-01T10:00:00Z').now,
    checkpointIntervalMs: 60_000,
  });
  await engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop') }));
  await store.addKey({ workspaceId: 'shop', kind: 'write', hash: hashKey('wk_shop') });
  await store.addKey({ workspaceId: 'shop', kind: 'admin', hash: hashKey('ak_shop') });
  metrics.watch({ pendingEvents: () => engine.pendingEvents, recovering: () => engine.recovering });
  lines = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n'))
          if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    }),
  );
  app = await buildServer({ engine, metrics, operatorKey: OPERATOR_KEY, logger });
});
afterEach(async () => {
  await app.close();
  await engine.close().catch(() => undefined);
});

function post(url: string, body: unknown, authorization = basic('wk_shop')) {
  return app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', authorization },
    payload: JSON.stringify(body),
  });
}

function scrape(authorization?: string) {
  return app.inject({
    method: 'GET',
    url: '/metrics',
    headers: authorization === undefined ? {} : { authorization },
  });
}

/** The value of one sample of the scrape (`name{labels}`), or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((row) => row.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('counts events in and refused, errors by code, append, commit and decide times', async () => {
    const order = (n: number) => ({
      type: 'track',
      userId: 'u1',
      messageId: `m${n}`,
      event: 'Order Completed',
      properties: { revenue: n },
    });
    expect(
      (await post('/v1/batch', { batch: [order(1), order(2), order(3), { type: 'nope' }] })).statusCode,
    ).toBe(200);
    expect((await post('/v1/track', order(1))).statusCode).toBe(200);
    expect((await post('/v1/track', order(4), basic('wk_unknown'))).statusCode).toBe(401);
    await post('/v1/decide', { anonymousId: 'a1', placement: 'home' });
    await engine.commit();

    const reply = await scrape(bearer(OPERATOR_KEY));
    expect(reply.statusCode).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^text\/plain/);
    const text = reply.body;
    expect(sample(text, 'tailor_events_in_total{outcome="accepted"}')).toBe(3);
    expect(sample(text, 'tailor_events_in_total{outcome="duplicate"}')).toBe(1);
    const refused = text.split('\n').filter((row) => row.startsWith('tailor_events_rejected_total{'));
    expect(refused).toHaveLength(1);
    expect(sample(text, 'tailor_http_errors_total{code="UNKNOWN_WRITE_KEY"}')).toBe(1);
    expect(sample(text, 'tailor_store_append_duration_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'tailor_store_commit_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'tailor_decide_duration_seconds_count')).toBe(1);
    expect(sample(text, 'tailor_segment_lateness_seconds_count')).toBe(2);
    expect(
      sample(
        text,
        'tailor_http_request_duration_seconds_count{method="POST",route="/v1/batch",status="200"}',
      ),
    ).toBe(1);
    expect(sample(text, 'tailor_queue_events')).toBe(0);
    expect(sample(text, 'tailor_writer_recovering')).toBe(0);
    expect(text).toContain('tailor_process_resident_memory_bytes');
  });

  it.each([
    { who: 'nobody', authorization: undefined, code: 'MISSING_OPERATOR_KEY' },
    { who: 'a write key (Basic)', authorization: basic('wk_shop'), code: 'MISSING_OPERATOR_KEY' },
    { who: 'a write key (Bearer)', authorization: bearer('wk_shop'), code: 'UNKNOWN_OPERATOR_KEY' },
    { who: "a workspace's admin key", authorization: bearer('ak_shop'), code: 'UNKNOWN_OPERATOR_KEY' },
  ])('refuses $who with 401', async ({ authorization, code }) => {
    const reply = await scrape(authorization);
    expect(reply.statusCode).toBe(401);
    expect(reply.json()).toMatchObject({ code });
    expect(reply.body).not.toContain('tailor_');
  });
});

describe('request logs, /health and /ready', () => {
  it('logs one JSON line per request: method, route pattern, status, duration, request id; refusals at debug', async () => {
    await post('/v1/track', { type: 'track', userId: 'u1', event: 'Viewed' });
    await app.inject({
      method: 'GET',
      url: '/v1/profiles/email:ada@example.com',
      headers: { authorization: bearer('ak_shop') },
    });
    const requests = lines.filter((line) => line.msg === 'request');
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({ level: 30, method: 'POST', route: '/v1/track', status: 200 });
    // Refusals at debug: a flood of bad requests cannot flood the log.
    expect(requests[1]).toMatchObject({ level: 20, method: 'GET', route: '/v1/profiles/:ref', status: 404 });
    for (const line of requests) {
      expect(typeof line.ms).toBe('number');
      expect(line.reqId).toMatch(/\S/);
    }
    // The route, never the URL: no person's email in the log.
    expect(JSON.stringify(lines)).not.toContain('ada@example.com');
  });

  it('answers /health and /ready without a key', async () => {
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    const ready = await app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it('answers /ready 503 with its reason when the store does not answer', async () => {
    await rawStore.close();
    const ready = await app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.headers['retry-after']).toBe('1');
    expect(ready.json()).toEqual({ status: 'not ready', reasons: ['the store does not answer'] });
  });
});
