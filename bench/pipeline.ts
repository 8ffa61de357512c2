/**
 * In-process pipeline throughput for events spread over 100k people, 20 computed traits:
 * - `compute`: normalize → identity → profile in memory, on one core, no store I/O;
 * - `pipeline`: the engine end to end: durable log append, identity, profile, view commits;
 * - `baseline`: the durable log append alone, measured in the same process.
 * Prints one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyToView } from '../src/engine/apply-to-view.ts';
import { compileWorkspace } from '../src/engine/compiled-workspace.ts';
import { Engine } from '../src/engine/engine.ts';
import { WorkspaceView } from '../src/engine/workspace-view.ts';
import type { TailorEvent } from '../src/ingest/event.ts';
import { normalizeCall } from '../src/ingest/normalize-call.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../src/workspace/load-workspace.ts';
import { benchWorkspaceYaml, workload } from './workload.ts';

const EVENTS = Number(process.env.BENCH_PIPELINE_EVENTS ?? 400_000);
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 100_000);
const BATCH = 2_500;

function rawBatches(): Record<string, unknown>[][] {
  const next = workload({ people: PEOPLE });
  const result: Record<string, unknown>[][] = [];
  for (let done = 0; done < EVENTS; done += BATCH)
    result.push(Array.from({ length: Math.min(BATCH, EVENTS - done) }, next));
  return result;
}

function compute(raw: Record<string, unknown>[][]): number {
  const workspace = compileWorkspace(parseWorkspaceYaml({ text: benchWorkspaceYaml('bench') }), 1);
  const view = new WorkspaceView('bench');
  view.complete = true;
  let seq = 0;
  const started = performance.now();
  for (const batch of raw) {
    for (const event of normalizeCall({ body: { batch }, call: 'batch', receivedAt: Date.now() }).events) {
      seq += 1;
      applyToView({ view, workspace, event: { ...event, seq, workspaceId: 'bench' } });
    }
  }
  return EVENTS / ((performance.now() - started) / 1000);
}

async function logOnly(events: TailorEvent[][], dir: string): Promise<number> {
  const store = new SqliteStore({ path: join(dir, 'log-only.db') });
  await store.migrate();
  const started = performance.now();
  for (const batch of events)
    await store.appendEvents(batch.map((event) => ({ workspaceId: 'bench', event })));
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return EVENTS / seconds;
}

async function pipeline(events: TailorEvent[][], dir: string): Promise<{ rate: number; profiles: number }> {
  const store = new SqliteStore({ path: join(dir, 'pipeline.db') });
  const engine = await Engine.open({ store, checkpointIntervalMs: 1_000 });
  await engine.applyWorkspace(parseWorkspaceYaml({ text: benchWorkspaceYaml('bench') }));
  const started = performance.now();
  for (const batch of events) {
    await engine.ingest('bench', batch);
  }
  await engine.commit();
  const seconds = (performance.now() - started) / 1000;
  const profiles = await store.countProfiles('bench');
  await engine.close();
  return { rate: EVENTS / seconds, profiles };
}

const dir = mkdtempSync(join(tmpdir(), 'tailor-bench-'));
try {
  const raw = rawBatches();
  const inMemory = compute(raw);
  const events = raw.map(
    (batch) => normalizeCall({ body: { batch }, call: 'batch', receivedAt: Date.now() }).events,
  );
  const baseline = await logOnly(events, dir);
  const result = await pipeline(events, dir);
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
