import { afterEach, describe, expect, it } from 'vitest';
import { fakeClock } from '../../src/clock.ts';
import { hashKey } from '../../src/engine/api-keys.ts';
import { Engine } from '../../src/engine/engine.ts';
import { buildServer } from '../../src/http/server.ts';
import type { TailorEvent } from '../../src/ingest/event.ts';
import type { AppendOutcome, EventToAppend } from '../../src/store/ports/event-log.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { basic, bearer, workspaceYaml } from '../support/test-tailor.ts';

/**
 * A test-only fault: SQLite that refuses (throws, writing nothing) any append holding an event
 * whose messageId starts with `bad-`, as a store does with a value it cannot take; and whose
 * appends can be held, so the test decides which requests share one group commit. Optionally,
 * prefetch (`findProfileIds`) fails once for user `late1` (it runs before the append).
 */
class FaultyStore extends SqliteStore {
  appendCalls: number[] = [];
  private held: Promise<void> | undefined;
  private release: (() => void) | undefined;
  failPrefetchOnce = false;

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
    this.appendCalls.push(events.length);
    if (this.held !== undefined) await this.held;
    if (events.some(({ event }) => event.messageId.startsWith('bad-')))
      throw new Error('the store cannot take this event');
    return super.appendEvents(events);
  }

  override async findProfileIds(workspaceId: string, keys: string[]): Promise<Map<string, string>> {
    if (this.failPrefetchOnce && keys.includes('user_id:late1')) {
      this.failPrefetchOnce = false;
      throw new Error('prefetch failed');
    }
    return super.findProfileIds(workspaceId, keys);
  }
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function open() {
  const clock = fakeClock('2026-03-01T10:00:00Z');
  const store = new FaultyStore({ path: ':memory:' });
  const engine = await Engine.open({ store, clock: clock.now, checkpointIntervalMs: 60_000 });
  await engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop') }));
  await store.addKey({ workspaceId: 'shop', kind: 'write', hash: hashKey('wk_shop') });
  await store.addKey({ workspaceId: 'shop', kind: 'admin', hash: hashKey('ak_shop') });
  const app = await buildServer({ engine });
  close = async () => {
    store.letGo();
    await app.close();
    await engine.close();
  };
  const track = (body: Record<string, unknown>) =>
    app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { 'content-type': 'application/json', authorization: basic('wk_shop') },
      payload: JSON.stringify(body),
    });
  const orders = async (userId: string): Promise<unknown> => {
    const reply = await app.inject({
      method: 'GET',
      url: `/v1/profiles/user_id:${userId}`,
      headers: { authorization: bearer('ak_shop') },
    });
    return reply.statusCode === 200 ? reply.json().computed.orders : undefined;
  };
  /** Holds the writer on a first request, so everything sent next waits for one group commit. */
  const holdWriter = async (): Promise<{ first: Promise<{ statusCode: number }> }> => {
    store.hold();
    const calls = store.appendCalls.length;
    const first = track({ userId: 'warm', event: 'Order Completed', messageId: `warm-${calls}` });
    while (store.appendCalls.length === calls) await new Promise((resolve) => setImmediate(resolve));
    return { first };
  };
  const waitPending = async (n: number): Promise<void> => {
    while (engine.pendingEvents < n) await new Promise((resolve) => setImmediate(resolve));
  };
  return { store, engine, track, orders, holdWriter, waitPending };
}

const order = (n: number) => ({ userId: `u${n}`, event: 'Order Completed', messageId: `good-${n}` });

describe('one bad event fails only its own request', () => {
  it('answers 200 to every good request of a group holding a bad event, each applied exactly once', async () => {
    const t = await open();
    const { first } = await t.holdWriter();

    const good = Array.from({ length: 20 }, (_, n) => t.track(order(n)));
    const bad = t.track({ userId: 'mallory', event: 'Order Completed', messageId: 'bad-0' });
    await t.waitPending(21);
    t.store.appendCalls = [];
    t.store.letGo();
    expect((await first).statusCode).toBe(200);
    const replies = await Promise.all(good);
    expect(replies.map((reply) => reply.statusCode)).toEqual(Array(20).fill(200));
    expect(replies.map((reply) => reply.json().accepted)).toEqual(Array(20).fill(1));
    expect((await bad).statusCode).toBe(500);
    // The group of 21 failed without writing, then each request went alone.
    expect(t.store.appendCalls).toEqual([21, ...Array(21).fill(1)]);
    for (let n = 0; n < 20; n += 1) expect(await t.orders(`u${n}`)).toBe(1);
    expect(await t.orders('mallory')).toBeUndefined();
    const logged = await t.store.readEventsById(
      'shop',
      Array.from({ length: 20 }, (_, n) => `good-${n}`),
    );
    expect(logged).toHaveLength(20);
  });

  it('refuses no good request under a steady trickle of bad events', async () => {
    const t = await open();
    let goodRefused = 0;
    let badAccepted = 0;
    for (let round = 0; round < 10; round += 1) {
      const { first } = await t.holdWriter();
      const good = Array.from({ length: 10 }, (_, i) => t.track(order(round * 10 + i)));
      const bad = t.track({ userId: 'mallory', event: 'Order Completed', messageId: `bad-${round}` });
      await t.waitPending(11);
      t.store.letGo();
      await first;
      for (const reply of await Promise.all(good)) if (reply.statusCode !== 200) goodRefused += 1;
      if ((await bad).statusCode === 200) badAccepted += 1;
    }
    expect({ goodRefused, badAccepted }).toEqual({ goodRefused: 0, badAccepted: 0 });
    for (let n = 0; n < 100; n += 1) expect(await t.orders(`u${n}`)).toBe(1);
  });

  it("keeps Tailor's own records when a bad client event shares their group", async () => {
    const t = await open();
    const { first } = await t.holdWriter();
    const recorded: TailorEvent = {
      type: 'track',
      messageId: 'dec-1',
      timestamp: Date.parse('2026-03-01T10:00:00Z'),
      receivedAt: Date.parse('2026-03-01T10:00:00Z'),
      userId: 'u1',
      event: 'Content Shown',
      properties: { placement: 'hero' },
      traits: {},
      context: {},
      integrations: {},
    };
    t.engine.record('shop', [recorded]);
    const bad = t.track({ userId: 'mallory', event: 'Order Completed', messageId: 'bad-1' });
    await t.waitPending(2);
    t.store.letGo();
    await first;
    expect((await bad).statusCode).toBe(500);
    await t.engine.commit();
    expect((await t.store.readEventsById('shop', ['dec-1'])).map((e) => e.messageId)).toEqual(['dec-1']);
  });

  it('a prefetch that fails writes nothing: the group is retried request by request, each applied once', async () => {
    // The prefetch used to run after the append: both requests failed with 500 while their
    // events stayed logged and never applied. It now runs before, so nothing was written.
    const t = await open();
    const { first } = await t.holdWriter();
    const a = t.track({ userId: 'late1', event: 'Order Completed', messageId: 'late-1' });
    const b = t.track({ userId: 'late2', event: 'Order Completed', messageId: 'late-2' });
    await t.waitPending(2);
    t.store.appendCalls = [];
    t.store.failPrefetchOnce = true;
    t.store.letGo();
    expect((await first).statusCode).toBe(200);
    expect([(await a).statusCode, (await b).statusCode]).toEqual([200, 200]);
    expect(t.store.appendCalls).toEqual([1, 1]);
    expect(await t.store.readEventsById('shop', ['late-1', 'late-2'])).toHaveLength(2);
    expect([await t.orders('late1'), await t.orders('late2')]).toEqual([1, 1]);
  });
});
