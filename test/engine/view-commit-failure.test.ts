import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import type { TailorEvent } from '../../src/ingest/event.ts';
import type { ProfileState } from '../../src/profile/profile.ts';
import type { TimelinePage, ViewCommit } from '../../src/store/ports/view-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { tempDir, workspaceYaml } from '../support/test-tailor.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');

/** A SQLite store whose next `failCommits` view commits fail before writing anything. */
class FailingCommitStore extends SqliteStore {
  failCommits = 0;

  override async commitView(commit: ViewCommit): Promise<void> {
    if (this.failCommits > 0) {
      this.failCommits -= 1;
      throw new Error('injected view commit failure');
    }
    return super.commitView(commit);
  }
}

/** For each person: an identify (anonymous id, user id, email), a page and two orders. */
function eventsFor(people: number[], tag: string): TailorEvent[] {
  const out: TailorEvent[] = [];
  for (const p of people) {
    const base = {
      timestamp: T0 + p * 1000,
      receivedAt: T0,
      properties: {},
      traits: {},
      context: {},
      integrations: {},
    };
    out.push(
      {
        ...base,
        messageId: `${tag}-${p}-id`,
        type: 'identify',
        userId: `u${p}`,
        anonymousId: `a${p}`,
        traits: { email: `p${p}@x.com`, tag },
      },
      { ...base, messageId: `${tag}-${p}-page`, type: 'page', anonymousId: `a${p}`, name: 'Pricing' },
      {
        ...base,
        messageId: `${tag}-${p}-o1`,
        type: 'track',
        userId: `u${p}`,
        event: 'Order Completed',
        properties: { revenue: p },
      },
      {
        ...base,
        messageId: `${tag}-${p}-o2`,
        type: 'track',
        anonymousId: `a${p}`,
        event: 'Order Completed',
        properties: { revenue: 1 },
      },
    );
  }
  return out;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/** What the store holds for people 0..count-1: their profiles and their whole timelines. */
async function storedView(
  store: SqliteStore,
  count: number,
): Promise<{ profiles: ProfileState[]; timelines: TimelinePage[] }> {
  const ids = await store.findProfileIds(
    'shop',
    range(0, count).map((p) => `user_id:u${p}`),
  );
  const unique = [...new Set(ids.values())].sort();
  const profiles = (await store.loadProfiles('shop', unique)).sort((a, b) => a.id.localeCompare(b.id));
  const timelines: TimelinePage[] = [];
  for (const profileId of unique)
    timelines.push(await store.timeline({ workspaceId: 'shop', profileId, limit: 1_000 }));
  return { profiles, timelines };
}

describe('a view commit that fails', () => {
  it('loses nothing: the next commit writes its changes, and the stored view equals a full replay', async () => {
    const path = join(tempDir(), 'tailor.db');
    const store = new FailingCommitStore({ path });
    // One cached profile at most: whatever a commit counts as clean is evicted and read back from the store.
    const engine = await Engine.open({ store, checkpointIntervalMs: 3_600_000, maxCachedProfiles: 1 });
    await engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop') }));

    await engine.ingest('shop', eventsFor(range(0, 10), 'a'));
    await engine.commit();

    // People 10..19 appear only in the batch whose commit fails; 0..4 also change in it.
    await engine.ingest('shop', eventsFor([...range(0, 5), ...range(10, 20)], 'b'));
    store.failCommits = 1;
    await expect(engine.commit()).rejects.toThrow('injected view commit failure');
    // The writer stopped: it refuses events until it has replayed the log past the checkpoint.
    expect(engine.recovering).toBe(true);
    await expect(engine.ingest('shop', eventsFor([0], 'x'))).rejects.toMatchObject({
      code: 'WRITER_RECOVERING',
    });
    await engine.recovered();
    expect(engine.recovering).toBe(false);

    await engine.ingest('shop', eventsFor([...range(0, 3), ...range(20, 25)], 'c'));
    await engine.commit();
    expect(await store.viewCheckpoint()).toBe(await store.lastSeq());

    const committed = await storedView(store, 25);
    expect(committed.profiles).toHaveLength(25);
    for (const profile of committed.profiles) expect(profile.eventCount).toBeGreaterThanOrEqual(4);

    // The same engine replays the whole log through the same definition into a fresh view.
    await engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop') }));
    const replayed = await storedView(store, 25);
    expect(committed).toEqual(replayed);
    // And what the engine serves (from memory or the store) is that view too.
    for (const p of [12, 17]) {
      expect(await engine.reads.findProfile('shop', `user_id:u${p}`)).toEqual(
        replayed.profiles.find((profile) => profile.identifiers['user_id']?.includes(`u${p}`)),
      );
    }
    await engine.close();
  });
});
