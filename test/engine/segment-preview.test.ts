import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import type { TailorEvent } from '../../src/ingest/event.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { workspaceYaml } from '../support/test-tailor.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');

function orders(from: number, count: number): TailorEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    messageId: `o-${from + i}`,
    type: 'track',
    userId: `u${(from + i) % 500}`,
    event: 'Order Completed',
    timestamp: T0 + i,
    receivedAt: T0,
    properties: { revenue: 1 },
    traits: {},
    context: {},
    integrations: {},
  }));
}

async function openEngine(): Promise<Engine> {
  const engine = await Engine.open({
    store: new SqliteStore({ path: ':memory:' }),
    checkpointIntervalMs: 3_600_000,
  });
  await engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop') }));
  return engine;
}

describe('a segment preview', () => {
  it('replays beside ingestion, not on the writer: events sent meanwhile are acknowledged before it ends', async () => {
    const engine = await openEngine();
    for (let b = 0; b < 20; b += 1) await engine.ingest('shop', orders(b * 1_000, 1_000));
    const order: string[] = [];
    // `$performed` of an event no saved segment counts: only a replay of the log can answer.
    const preview = engine
      .previewSegment('shop', { $performed: { event: 'Order Completed', count: { $gte: 40 } } })
      .then((result) => {
        order.push('preview');
        return result;
      });
    const ingested = engine.ingest('shop', orders(50_000, 10)).then(() => order.push('ingest'));
    await expect(engine.previewSegment('shop', { 'computed.orders': { $gte: 1 } })).rejects.toMatchObject({
      code: 'PREVIEW_BUSY',
    });
    await Promise.all([preview, ingested]);
    expect(order).toEqual(['ingest', 'preview']);
    expect(await preview).toMatchObject({ matched: 500, total: 500 });
    await engine.close();
  });

  it('counts profiles changed or created since the last commit, without committing', async () => {
    const engine = await openEngine();
    await engine.ingest('shop', orders(0, 10));
    await engine.commit();
    await engine.ingest('shop', orders(500, 10)); // u0..u9 get a second order; nothing committed
    await engine.ingest('shop', orders(600, 5)); // u100..u104 are new, only in memory
    const store = (engine as unknown as { store: SqliteStore }).store;
    const checkpoint = await store.viewCheckpoint();
    const preview = await engine.previewSegment('shop', { 'computed.orders': { $gte: 2 } });
    expect(preview).toMatchObject({ matched: 10, total: 15 });
    expect(await store.viewCheckpoint()).toBe(checkpoint);
    await engine.close();
  });
});
