import { expect } from 'vitest';
import type { Store } from '../../../src/store/store.ts';

/**
 * What an upgrade to the segment and workspace history must find in a database whose old
 * schema held, for workspace `a`, two `Segment Entered` (hour 1) and one `Segment Exited`
 * (hour 2) of segment `vip` as derived events, and the definition `{ id: 'a', name: 'A' }` at
 * `version`: the hourly counts and latest moves worked out from them, and the one version kept.
 */
export async function expectUpgradedHistory(store: Store, version: number): Promise<void> {
  expect(await store.segmentHours({ workspaceId: 'a', segment: 'vip', from: 0 })).toEqual([
    { workspaceId: 'a', segment: 'vip', hour: 3_600_000, entries: 2, exits: 0 },
    { workspaceId: 'a', segment: 'vip', hour: 7_200_000, entries: 0, exits: 1 },
  ]);
  const moves = await store.segmentMoves({ workspaceId: 'a', segment: 'vip', limit: 10 });
  expect(moves.map((move) => [move.profileId, move.event.event])).toEqual([
    ['p1', 'Segment Exited'],
    ['p2', 'Segment Entered'],
    ['p1', 'Segment Entered'],
  ]);
  expect(await store.workspaceVersions({ workspaceId: 'a', limit: 10 })).toEqual([
    {
      workspaceId: 'a',
      version,
      definition: { id: 'a', name: 'A' },
      text: null,
      origin: 'unknown',
      keyId: null,
      at: null,
    },
  ]);
}
