import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import type { TailorEvent } from '../../src/ingest/event.ts';
import type { ViewCommit } from '../../src/store/ports/view-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { workspaceYaml } from '../support/test-tailor.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');

/** A SQLite store whose view commits take `delayMs` more: a slow disk or a distant database. */
class SlowCommitStore extends SqliteStore {
  delayMs = 0;

  override async commitView(commit: ViewCommit): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return super.commitView(commit);
  }
}

const orders = (user: string, tag: string, count: number): TailorEvent[] =>
  Array.from({ length: count }, (_, i) => ({
    messageId: `${tag}-${i}`,
    type: 'track',
    userId: user,
    event: 'Order Completed',
    timestamp: T0 + i,
    receivedAt: T0,
    properties: { revenue: 1 },
    traits: {},
    context: {},
    integrations: {},
  }));

describe('admin reads of a profile', () => {
  it('go straight to the store when nothing pending touches the profile, and commit first when something does', async () => {
    const store = new SlowCommitStore({ path: ':memory:' });
    const engine = await Engine.open({ store, checkpointIntervalMs: 3_600_000 });
    await engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop') }));
    await engine.ingest('shop', orders('u1', 'a', 3));
    await engine.commit();
    const u1 = (await engine.reads.findProfile('shop', 'user_id:u1'))?.id as string;

    await engine.ingest('shop', orders('u2', 'b', 2));
    store.delayMs = 300;
    const order: string[] = [];
    const slowCommit = engine.commit().then(() => order.push('commit'));
    // u1 is untouched by what is being committed: its timeline does not wait for the writer.
    const clean = engine.reads.timeline('shop', u1, { limit: 10 }).then((page) => {
      order.push('u1 timeline');
      return page;
    });
    expect((await clean).events).toHaveLength(3);
    await slowCommit;
    expect(order).toEqual(['u1 timeline', 'commit']);

    // u2 has events applied but not committed: its timeline commits them first, and shows them.
    store.delayMs = 0;
    await engine.ingest('shop', orders('u2', 'c', 1));
    const u2 = (await engine.reads.findProfile('shop', 'user_id:u2'))?.id as string;
    expect((await engine.reads.timeline('shop', u2, { limit: 10 })).events).toHaveLength(3);
    await engine.close();
  });
});
