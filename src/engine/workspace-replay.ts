import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { LoggedEvent } from '../ingest/event.ts';
import type { EventLog } from '../store/ports/event-log.ts';
import { WorkspaceView } from './workspace-view.ts';

/** Progress of long work (replay, rebuild): log positions done out of the total. */
export type ProgressListener = (progress: { done: number; total: number }) => void;

/** Log events read per query while replaying. */
const REPLAY_PAGE = 5_000;
/** Events applied between two yields to I/O, so a replay beside ingestion does not hold the event loop. */
const REPLAY_SLICE = 200;

/**
 * Replays one workspace's events, up to `last`, into a fresh, complete in-memory view: `apply`
 * takes each event in log order. Reads the log page by page and yields to I/O between slices;
 * reports progress as log positions.
 */
export async function replayWorkspace(input: {
  log: EventLog;
  workspaceId: string;
  last: number;
  apply: (view: WorkspaceView, event: LoggedEvent) => void | Promise<void>;
  onProgress?: ProgressListener | undefined;
}): Promise<WorkspaceView> {
  const { log, workspaceId, last, onProgress } = input;
  const view = new WorkspaceView(workspaceId);
  view.complete = true;
  let after = 0;
  onProgress?.({ done: 0, total: last });
  while (after < last) {
    const page = await log.readEvents({ afterSeq: after, limit: REPLAY_PAGE, workspaceId });
    if (page.length === 0) break;
    for (const [i, event] of page.entries()) {
      if (i > 0 && i % REPLAY_SLICE === 0) await yieldToIo();
      if (event.seq <= last) await input.apply(view, event);
    }
    after = page.at(-1)?.seq ?? last;
    onProgress?.({ done: Math.min(after, last), total: last });
  }
  onProgress?.({ done: last, total: last });
  return view;
}
