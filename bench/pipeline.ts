/**
 * In-process pipeline throughput for events spread over 100k people, 20 computed traits:
 * - `compute`: parse → normalize → identity → profile in memory, on one core, no store I/O;
 * - `pipeline`: the engine end to end: durable log append, identity, profile, view commits;
 * - `baseline`: parse → normalize → durable log append, measured in the same process.
 * Prints one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyToView } from '../src/engine/apply-to-view.ts';
import { compileWorkspace } from '../src/engine/compiled-workspace.ts';
import { Engine } from '../src/engine/engine.ts';
import { takeCommit } from '../src/engine/view-sync.ts';
import { WorkspaceView } from '../src/engine/workspace-view.ts';
import { readEventIdentifiers } from '../src/identity/extract-identifiers.ts';
import { toLoggedEvent } from '../src/ingest/event.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../src/workspace/load-workspace.ts';
import { decodeBody, eventBodies } from './in-memory.ts';
import { benchWorkspaceYaml } from './workload.ts';

const EVENTS = Number(process.env.BENCH_PIPELINE_EVENTS ?? 400_000);
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 100_000);

function compute(input: string[]): number {
  const workspace = compileWorkspace(parseWorkspaceYaml({ text: benchWorkspaceYaml('bench') }), 1);
  const view = new WorkspaceView('bench');
  view.complete = true;
  let seq = 0;
  const started = performance.now();
  for (const body of input) {
    for (const event of decodeBody(body)) {
      seq += 1;
      const identifiers = readEventIdentifiers(event, workspace.definition.identity);
      applyToView({ view, workspace, event: toLoggedEvent(event, seq, 'bench'), identifiers });
    }
    // What a view commit takes from the view, without writing it: keeps memory as the engine does.
    takeCommit([view], seq);
  }
  return EVENTS / ((performance.now() - started) / 1000);
}

async function logOnly(input: string[], dir: string): Promise<number> {
  const store = new SqliteStore({ path: join(dir, 'log-only.db') });
  await store.migrate();
  const started = performance.now();
  for (const body of input)
    await store.appendEvents(decodeBody(body).map((event) => ({ workspaceId: 'bench', event })));
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return EVENTS / seconds;
}

async function pipeline(input: string[], dir: string): Promise<{ rate: number; profiles: number }> {
  const store = new SqliteStore({ path: join(dir, 'pipeline.db') });
  const engine = await Engine.open({ store, checkpointIntervalMs: 1_000 });
  await engine.applyWorkspace(parseWorkspaceYaml({ text: benchWorkspaceYaml('bench') }));
  const started = performance.now();
  for (const body of input) await engine.ingest('bench', decodeBody(body));
  await engine.commit();
  const seconds = (performance.now() - started) / 1000;
  const profiles = await store.countProfiles('bench');
  await engine.close();
  return { rate: EVENTS / seconds, profiles };
}

const dir = mkdtempSync(join(tmpdir(), 'tailor-bench-'));
try {
  const input = eventBodies({ events: EVENTS, people: PEOPLE });
  const inMemory = compute(input);
  const baseline = await logOnly(input, dir);
  const result = await pipeline(input, dir);
  console.log(
    JSON.stringify({
      events: EVENTS,
      compute: inMemory,
      baseline,
      pipeline: result.rate,
      profiles: result.profiles,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
