import { describe, expect, it } from 'vitest';
import { takeCommit } from '../../src/engine/view-sync.ts';
import { WorkspaceView } from '../../src/engine/workspace-view.ts';
import type { LoggedEvent } from '../../src/ingest/event.ts';

describe('taking a view commit', () => {
  it('carries more derived rows and merges than a function call takes arguments', () => {
    // One timer firing or journey resume over 100k profiles derives a few hundred thousand rows.
    const rows = 300_000;
    const view = new WorkspaceView('big');
    const event = { messageId: 'm', seq: 1 } as LoggedEvent;
    for (let i = 0; i < rows; i += 1) {
      view.derived.push({ workspaceId: 'big', profileId: `p${i}`, event, ord: 0 });
      view.merges.push({
        workspaceId: 'big',
        fromId: `a${i}`,
        intoId: `p${i}`,
        messageId: 'm',
        seq: 1,
        identifiers: [],
        at: 0,
      });
    }
    const { commit } = takeCommit([view], 1);
    expect(commit.derivedEvents).toHaveLength(rows);
    expect(commit.merges).toHaveLength(rows);
    expect(commit.derivedEvents.at(-1)?.profileId).toBe(`p${rows - 1}`);
    expect(view.derived).toEqual([]);
  });

  it("takes the segment counts by hour, and puts a failed commit's back ahead of those counted since", () => {
    const view = new WorkspaceView('shop');
    const H = 3_600_000;
    view.segmentHours.count('vip', 10 * H + 5, 'entries');
    view.segmentHours.count('vip', 10 * H + 9, 'entries');
    view.segmentHours.count('vip', 11 * H, 'exits');
    const taken = takeCommit([view], 1);
    expect(taken.commit.segmentHours).toEqual([
      { workspaceId: 'shop', segment: 'vip', hour: 10 * H, entries: 2, exits: 0 },
      { workspaceId: 'shop', segment: 'vip', hour: 11 * H, entries: 0, exits: 1 },
    ]);
    expect(view.clean).toBe(true);
    view.segmentHours.count('vip', 10 * H, 'exits');
    taken.restore();
    expect(takeCommit([view], 2).commit.segmentHours).toEqual([
      { workspaceId: 'shop', segment: 'vip', hour: 10 * H, entries: 2, exits: 1 },
      { workspaceId: 'shop', segment: 'vip', hour: 11 * H, entries: 0, exits: 1 },
    ]);
  });
});
