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
});
