/**
 * What a segment's history costs to read on a large store: `BENCH_HISTORY_MOVES` derived segment
 * entries (default 1M, three in four into the segment read, one every 2.5 s over about a month)
 * committed to a SQLite store with their counts by hour, then the two reads
 * `GET /v1/segments/{key}/history` makes beside the size (every hour since the first, the latest
 * 20 moves), timed 50 times. Prints one JSON line for `bench/run.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoggedEvent } from '../src/ingest/event.ts';
import type { DerivedEventRow, SegmentHour } from '../src/store/ports/view-store.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { hourOf } from '../src/time/hour-of.ts';

const MOVES = Number(process.env.BENCH_HISTORY_MOVES ?? 1_000_000);
const BATCH = 10_000;
const T0 = Date.parse('2026-05-01T00:00:00Z');

const dir = mkdtempSync(join(tmpdir(), 'tailor-bench-history-'));
const store = new SqliteStore({ path: join(dir, 'history.db'), synchronous: 'NORMAL' });
try {
  for (let seq = 1; seq <= MOVES; seq += BATCH) {
    const derivedEvents: DerivedEventRow[] = [];
    const hours = new Map<number, SegmentHour>();
    for (let n = seq; n < seq + BATCH && n <= MOVES; n += 1) {
      const segment = n % 4 === 0 ? 'other' : 'vip';
      const timestamp = T0 + n * 2_500;
      const event: LoggedEvent = {
        type: 'track',
        messageId: `drv-p${n}-${n}-0`,
        timestamp,
        receivedAt: timestamp,
        sentAt: undefined,
        originalTimestamp: undefined,
        userId: `u${n}`,
        anonymousId: undefined,
        previousId: undefined,
        groupId: undefined,
        event: 'Segment Entered',
        name: undefined,
        category: undefined,
        properties: { segment },
        traits: {},
        context: {},
        integrations: {},
        seq: n,
        workspaceId: 'bench',
      };
      derivedEvents.push({ workspaceId: 'bench', profileId: `p${n}`, event, ord: 0 });
      if (segment !== 'vip') continue;
      const hour = hourOf(timestamp);
      const row = hours.get(hour) ?? { workspaceId: 'bench', segment, hour, entries: 0, exits: 0 };
      row.entries += 1;
      hours.set(hour, row);
    }
    await store.commitView({
      checkpoint: seq,
      rebuilt: [],
      profiles: [],
      deletedProfiles: [],
      identifiers: [],
      merges: [],
      eventLinks: [],
      derivedEvents,
      memberships: [],
      segmentHours: [...hours.values()],
    });
  }
  const times: number[] = [];
  let hours = 0;
  for (let round = 0; round < 50; round += 1) {
    const start = performance.now();
    hours = (await store.segmentHours({ workspaceId: 'bench', segment: 'vip', from: T0 })).length;
    await store.segmentMoves({ workspaceId: 'bench', segment: 'vip', limit: 20 });
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ moves: MOVES, hours, p50: times[25] ?? 0, max: times.at(-1) ?? 0 }));
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
