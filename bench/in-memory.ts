/**
 * The in-memory pipeline as bench/pipeline.ts measures it (JSON request bodies → normalize →
 * identity → profile → audience against a `WorkspaceView`, no store I/O), shared by the
 * benchmarks that compare workspace definitions on the same events.
 */

import { applyToView } from '../src/engine/apply-to-view.ts';
import type { CompiledWorkspace } from '../src/engine/compiled-workspace.ts';
import { takeCommit } from '../src/engine/view-sync.ts';
import { WorkspaceView } from '../src/engine/workspace-view.ts';
import { readEventIdentifiers } from '../src/identity/extract-identifiers.ts';
import { type TailorEvent, toLoggedEvent } from '../src/ingest/event.ts';
import { normalizeCall } from '../src/ingest/normalize-call.ts';
import { workload } from './workload.ts';

/** Events per request body, as the pipeline benchmark sends them. */
export const BODY_EVENTS = 2_500;

/** `events` events of the benchmark workload over `people` people, as `/v1/batch` bodies (JSON text). */
export function eventBodies(input: { events: number; people: number }): string[] {
  const next = workload({ people: input.people });
  const result: string[] = [];
  for (let done = 0; done < input.events; done += BODY_EVENTS) {
    const size = Math.min(BODY_EVENTS, input.events - done);
    result.push(JSON.stringify({ batch: Array.from({ length: size }, next) }));
  }
  return result;
}

/** Parses and normalizes one batch body, as ingestion does. */
export function decodeBody(body: string): TailorEvent[] {
  return normalizeCall({ body: JSON.parse(body), call: 'batch', receivedAt: Date.now() }).events;
}

/**
 * Runs every body through the in-memory pipeline into a fresh view of `workspace`, taking a
 * view commit (without writing it) after each body, as the engine would. Returns the events
 * applied and the seconds it took.
 */
export function applyInMemory(
  bodies: readonly string[],
  workspace: CompiledWorkspace,
): { events: number; seconds: number } {
  const workspaceId = workspace.definition.id;
  const view = new WorkspaceView(workspaceId);
  view.complete = true;
  let seq = 0;
  const started = performance.now();
  for (const body of bodies) {
    for (const event of decodeBody(body)) {
      seq += 1;
      const identifiers = readEventIdentifiers(event, workspace.definition.identity);
      applyToView({ view, workspace, event: toLoggedEvent(event, seq, workspaceId), identifiers });
    }
    takeCommit([view], seq);
  }
  return { events: seq, seconds: (performance.now() - started) / 1000 };
}
