import { describe, expect, it } from 'vitest';
import { cacheBudget } from '../../src/engine/cache-budget.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { TailorEvent } from '../../src/ingest/event.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { workspaceYaml } from '../support/test-tailor.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const base = { timestamp: T0, receivedAt: T0, properties: {}, traits: {}, context: {}, integrations: {} };

const pages = (from: number, count: number, tag: string): TailorEvent[] =>
  Array.from({ length: count }, (_, i) => ({
    ...base,
    messageId: `${tag}-${from + i}`,
    type: 'page',
    anonymousId: `anon-${from + i}`,
    name: 'Home',
  }));

describe('the cache budget', () => {
  it('splits TAILOR_CACHE_MB between profiles and index entries, and grows with it', () => {
    const small = cacheBudget(64);
    const large = cacheBudget(512);
    expect(small.profiles).toBeGreaterThan(10_000);
    expect(small.keys).toBeGreaterThan(small.profiles);
    expect(Math.round(large.profiles / small.profiles)).toBe(8);
  });

  it('bounds the identifier index, and identities resolve the same after their entries were evicted', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const engine = await Engine.open({
      store,
      checkpointIntervalMs: 3_600_000,
      maxCachedProfiles: 50,
      maxCachedKeys: 200,
    });
    await engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop') }));
    for (let b = 0; b < 10; b += 1) {
      await engine.ingest('shop', pages(b * 100, 100, 'first'));
      await engine.commit();
      expect(engine.cacheSize().keys).toBeLessThanOrEqual(200);
      expect(engine.cacheSize().profiles).toBeLessThanOrEqual(50);
    }
    // Every early anonymous id was evicted from memory; seen again, it is the same person.
    await engine.ingest('shop', pages(0, 20, 'again'));
    // And one of them signs up: the anonymous profile and the user are one.
    await engine.ingest('shop', [
      {
        ...base,
        messageId: 'signup',
        type: 'identify',
        anonymousId: 'anon-3',
        userId: 'u3',
        traits: { email: 'a3@x.com' },
      },
    ]);
    await engine.commit();
    expect(await store.countProfiles('shop')).toBe(1_000);
    for (const n of [0, 3, 19]) {
      const profile = await engine.reads.findProfile('shop', `anonymous_id:anon-${n}`);
      expect(profile?.eventCount).toBe(n === 3 ? 3 : 2);
    }
    expect((await engine.reads.findProfile('shop', 'user_id:u3'))?.identifiers['anonymous_id']).toEqual([
      'anon-3',
    ]);
    await engine.close();
  });

  it('drops committed merge aliases with the index, and merged people still resolve to one profile', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const engine = await Engine.open({ store, checkpointIntervalMs: 3_600_000, maxCachedKeys: 200 });
    await engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop') }));
    const people = Array.from({ length: 100 }, (_, p) => p);
    // Each person has an anonymous profile and a user profile, then an identify merges the two.
    await engine.ingest('shop', pages(0, 100, 'visit'));
    await engine.ingest(
      'shop',
      people.map((p) => ({
        ...base,
        messageId: `order-${p}`,
        type: 'track',
        userId: `u${p}`,
        event: 'Order Completed',
      })),
    );
    await engine.commit();
    await engine.ingest(
      'shop',
      people.map((p) => ({
        ...base,
        messageId: `link-${p}`,
        type: 'identify',
        userId: `u${p}`,
        anonymousId: `anon-${p}`,
      })),
    );
    await engine.commit();
    expect(engine.cacheSize().keys).toBeLessThanOrEqual(200);
    await engine.ingest('shop', pages(0, 100, 'return'));
    await engine.commit();
    expect(await store.countProfiles('shop')).toBe(100);
    for (const p of [0, 42, 99]) {
      const byUser = await engine.reads.findProfile('shop', `user_id:u${p}`);
      expect(byUser?.eventCount).toBe(4);
      expect((await engine.reads.findProfile('shop', `anonymous_id:anon-${p}`))?.id).toBe(byUser?.id);
    }
    await engine.close();
  });
});
