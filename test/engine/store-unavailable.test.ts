import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import type { TailorEvent } from '../../src/ingest/event.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { AppendOutcome, EventToAppend } from '../../src/store/store.ts';
import { StoreUnavailableError } from '../../src/store/store-unavailable-error.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { tempDir, workspaceYaml } from '../support/test-tailor.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');

/** A SQLite store whose appends fail as a database that is away does, while `away` is set. */
class AwayStore extends SqliteStore {
  away = false;
  appendCalls = 0;

  override async appendEvents(events: EventToAppend[]): Promise<AppendOutcome[]> {
    this.appendCalls += 1;
    if (this.away) throw new StoreUnavailableError(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    return super.appendEvents(events);
  }
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
    const store = new AwayStore({ path: join(tempDir(), 'tailor.db') });
    const engine = await Engine.open({ store, checkpointIntervalMs: 3_600_000 });
    await engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop') }));
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
    const retried = await Promise.all([0, 1, 2, 3].map((p) => engine.ingest('shop', [order(p)])));
    expect(retried.flat().map((outcome) => outcome.kind)).toEqual([
      'appended',
      'appended',
      'appended',
      'appended',
    ]);
    await engine.close();
  });
});
