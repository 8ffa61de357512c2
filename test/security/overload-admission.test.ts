import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeClock } from '../../src/clock.ts';
import { hashKey } from '../../src/engine/api-keys.ts';
import { Engine } from '../../src/engine/engine.ts';
import { Admission, admissionCost } from '../../src/http/admission.ts';
import { buildServer } from '../../src/http/server.ts';
import { REQUEST_MAX_BYTES } from '../../src/ingest/ingest-limits.ts';
import type { AppendOutcome, EventToAppend } from '../../src/store/ports/event-log.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { basic, workspaceYaml } from '../support/test-tailor.ts';

/** SQLite whose appends the test can hold, so requests stay in flight as long as it wants. */
class HeldStore extends SqliteStore {
  appends = 0;
  private held: Promise<void> | undefined;
  private release: (() => void) | undefined;

  hold(): void {
    this.held = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  letGo(): void {
    this.release?.();
    this.held = undefined;
  }

  override async appendEvents(events: EventToAppend[]): Promise<AppendOutcome[]> {
    this.appends += 1;
    if (this.held !== undefined) await this.held;
    return super.appendEvents(events);
  }
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('admission by bytes and queue time', () => {
  it('charges a request its Content-Length, and the 500 KB limit when the body is chunked or gzip', () => {
    expect(admissionCost({ 'content-length': '2048' })).toBe(2_048);
    expect(admissionCost({ 'content-length': '9999999' })).toBe(REQUEST_MAX_BYTES);
    expect(admissionCost({ 'transfer-encoding': 'chunked' })).toBe(REQUEST_MAX_BYTES);
    expect(admissionCost({ 'content-length': '100', 'content-encoding': 'gzip' })).toBe(REQUEST_MAX_BYTES);
  });

  it('refuses past the byte budget or once the writer is half the queue time behind, and releases once', () => {
    let wait = 0;
    const admission = new Admission({
      limits: { maxInflightBytes: 1_000, maxQueueMs: 2_000 },
      queueWaitMs: () => wait,
    });
    const big = admission.admit(5_000);
    expect(big).toBeDefined();
    expect(admission.admit(10)).toBeUndefined();
    big?.();
    big?.();
    expect(admission.inflightBytes).toBe(0);
    const a = admission.admit(600);
    expect(admission.admit(600)).toBeUndefined();
    expect(admission.admit(400)).toBeDefined();
    a?.();
    wait = 999;
    expect(admission.admit(1)).toBeDefined();
    wait = 1_000;
    expect(admission.admit(1)).toBeUndefined();
  });

  it('answers 429 with Retry-After before reading or parsing the body, and admits again once work is answered', async () => {
    const clock = fakeClock('2026-03-01T10:00:00Z');
    const store = new HeldStore({ path: ':memory:' });
    const engine = await Engine.open({ store, clock: clock.now, checkpointIntervalMs: 60_000 });
    await engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop') }));
    await store.addKey({ workspaceId: 'shop', kind: 'write', hash: hashKey('wk_shop') });
    const app = await buildServer({ engine, admission: { maxInflightBytes: 4_096, maxQueueMs: 60_000 } });
    close = async () => {
      store.letGo();
      await app.close();
      await engine.close();
    };
    const post = (url: string, payload: string | Buffer, headers: Record<string, string> = {}) =>
      app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', authorization: basic('wk_shop'), ...headers },
        payload,
      });
    store.hold();
    const appendsBefore = store.appends;
    const first = post(
      '/v1/track',
      JSON.stringify({ userId: 'u1', event: 'Order Completed', padding: 'x'.repeat(4_100) }),
    );
    while (store.appends === appendsBefore) await new Promise((resolve) => setImmediate(resolve));
    // Not JSON at all: parsed, this would be 400 INVALID_JSON; refused first, it never is.
    const refused = await post('/v1/batch', `{"batch": [${'x'.repeat(2_000)}`);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json().code).toBe('OVERLOADED');
    // A gzip body may inflate to 500 KB: it is charged that, so it waits too; so does decide.
    const gzipped = await post('/v1/track', gzipSync(JSON.stringify({ userId: 'u2', event: 'E' })), {
      'content-encoding': 'gzip',
    });
    expect(gzipped.statusCode).toBe(429);
    expect((await post('/v1/decide', JSON.stringify({ anonymousId: 'a1' }))).statusCode).toBe(429);
    // Routes that are not client work are not gated.
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    store.letGo();
    expect((await first).statusCode).toBe(200);
    const after = await post('/v1/track', JSON.stringify({ userId: 'u3', event: 'Order Completed' }));
    expect(after.statusCode).toBe(200);
  });
});
