import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import type { LoggedEvent, TailorEvent } from '../../src/ingest/event.ts';
import { AppendInDoubtError } from '../../src/store/append-in-doubt-error.ts';
import type { AppendOutcome, EventToAppend } from '../../src/store/ports/event-log.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { StoreUnavailableError } from '../../src/store/store-unavailable-error.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { tempDir, workspaceYaml } from '../support/test-tailor.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');

const refused = () => new StoreUnavailableError(new Error('connect ECONNREFUSED 127.0.0.1:5432'));

/**
 * A SQLite store that plays a PostgreSQL outage: appends fail while `away` is set; the next
 * `lookupsAway` identifier lookups fail; the next append can be made to break off in its COMMIT
 * (`commitBreaks`: after writing, or before), and the log read back to fail (`readBackAway`).
 */
class AwayStore extends SqliteStore {
  away = false;
  appendCalls = 0;
  lookupsAway = 0;
  commitBreaks: 'after-writing' | 'before-writing' | undefined;
  readBackAway = false;

  override async appendEvents(events: EventToAppend[]): Promise<AppendOutcome[]> {
    this.appendCalls += 1;
    if (this.away) throw refused();
    const breaks = this.commitBreaks;
    this.commitBreaks = undefined;
    if (breaks === 'before-writing') throw new AppendInDoubtError(refused());
    const outcomes = await super.appendEvents(events);
    if (breaks === 'after-writing') throw new AppendInDoubtError(refused());
    return outcomes;
  }

  override async findProfileIds(workspaceId: string, keys: string[]): Promise<Map<string, string>> {
    if (this.lookupsAway > 0) {
      this.lookupsAway -= 1;
      throw refused();
    }
    return super.findProfileIds(workspaceId, keys);
  }

  override async readEventsById(workspaceId: string, messageIds: string[]): Promise<LoggedEvent[]> {
    if (this.readBackAway) throw refused();
    return super.readEventsById(workspaceId, messageIds);
  }
}

async function openShop(): Promise<{ store: AwayStore; engine: Engine }> {
  const store = new AwayStore({ path: join(tempDir(), 'tailor.db') });
  const engine = await Engine.open({ store, checkpointIntervalMs: 3_600_000 });
  await engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop') }));
  return { store, engine };
}

/** How many events the engine applied to user `u<p>` (0 when it has no profile). */
async function applied(engine: Engine, p: number): Promise<number> {
  return (await engine.reads.findProfile('shop', `user_id:u${p}`))?.eventCount ?? 0;
}

function order(p: number): TailorEvent {
  return {
    messageId: `o-${p}`,
    type: 'track',
    userId: `u${p}`,
    event: 'Order Completed',
    timestamp: T0,
    receivedAt: T0,
    properties: {},
    traits: {},
    context: {},
    integrations: {},
  };
}

describe('a store that is unavailable', () => {
  it('fails a whole group at once, without a retry per request, and the same requests succeed once it is back', async () => {
    const { store, engine } = await openShop();
    store.away = true;
    store.appendCalls = 0;
    const requests = [0, 1, 2, 3].map((p) => engine.ingest('shop', [order(p)]));
    const results = await Promise.allSettled(requests);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      if (result.status === 'rejected') expect(result.reason).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    }
    // One group, one append: not one more per request against a database that is away.
    expect(store.appendCalls).toBe(1);

    store.away = false;
    // The writer held while the store was away, and replays once it answers again.
    await engine.recovered();
    const retried = await Promise.all([0, 1, 2, 3].map((p) => engine.ingest('shop', [order(p)])));
    expect(retried.flat().map((outcome) => outcome.kind)).toEqual([
      'appended',
      'appended',
      'appended',
      'appended',
    ]);
    await engine.close();
  });

  it('writes nothing when it goes away while the events are being prefetched, so the retry applies them', async () => {
    const { store, engine } = await openShop();
    store.lookupsAway = 1;
    await expect(engine.ingest('shop', [order(1)])).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(await store.lastSeq()).toBe(await store.viewCheckpoint());
    await engine.recovered();
    expect((await engine.ingest('shop', [order(1)])).map((outcome) => outcome.kind)).toEqual(['appended']);
    expect(await applied(engine, 1)).toBe(1);
    await engine.close();
  });

  it('settles an append whose COMMIT broke off by reading the log back', async () => {
    const { store, engine } = await openShop();
    // The commit landed: the events are applied now, and a retry is answered as a duplicate.
    store.commitBreaks = 'after-writing';
    expect((await engine.ingest('shop', [order(1), order(2)])).map((outcome) => outcome.kind)).toEqual([
      'appended',
      'appended',
    ]);
    expect((await engine.ingest('shop', [order(1)])).map((outcome) => outcome.kind)).toEqual(['duplicate']);
    expect([await applied(engine, 1), await applied(engine, 2)]).toEqual([1, 1]);

    // The commit did not land: the request fails with 503 and nothing is applied until the retry.
    store.commitBreaks = 'before-writing';
    await expect(engine.ingest('shop', [order(3)])).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(await applied(engine, 3)).toBe(0);
    expect((await engine.ingest('shop', [order(3)])).map((outcome) => outcome.kind)).toEqual(['appended']);
    expect(await applied(engine, 3)).toBe(1);

    // The log cannot be read back: the doubt stays, and the request fails with 503.
    store.commitBreaks = 'before-writing';
    store.readBackAway = true;
    await expect(engine.ingest('shop', [order(4)])).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    store.readBackAway = false;
    await engine.close();
  });
});
