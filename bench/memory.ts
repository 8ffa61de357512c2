/**
 * Resident memory per profile: ingests one identify per person for `BENCH_MEMORY_PROFILES`
 * people (default 1M) through the engine, keeps every profile in the in-memory view, and
 * prints the resident size before and after, per profile. Prints one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/engine.ts';
import { normalizeCall } from '../src/ingest/normalize-call.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../src/workspace/load-workspace.ts';
import { benchWorkspaceYaml } from './workload.ts';

const PROFILES = Number(process.env.BENCH_MEMORY_PROFILES ?? 1_000_000);
const BATCH = 2_500;

function settle(): number {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().rss;
}

const dir = mkdtempSync(join(tmpdir(), 'tailor-bench-memory-'));
try {
  const store = new SqliteStore({ path: join(dir, 'memory.db') });
  const engine = await Engine.open({ store, checkpointIntervalMs: 60_000, commitEveryEvents: 200_000 });
  await engine.applyWorkspace(parseWorkspaceYaml({ text: benchWorkspaceYaml('bench') }));
  const before = settle();
  const started = performance.now();
  for (let done = 0; done < PROFILES; done += BATCH) {
    const batch = [];
    for (let i = done; i < Math.min(done + BATCH, PROFILES); i += 1) {
      batch.push({
        type: 'identify',
        userId: `user-${i}`,
        anonymousId: `anon-${i}`,
        traits: { email: `person${i}@example.com`, city: 'Bangalore', plan: 'pro' },
        timestamp: '2026-11-01T10:00:00Z',
      });
    }
    await engine.ingest(
      'bench',
      normalizeCall({ body: { batch }, call: 'batch', receivedAt: Date.now() }).events,
    );
    if (done % 100_000 === 0) process.stderr.write(`memory: ${done.toLocaleString('en')} profiles\n`);
  }
  await engine.commit();
  const seconds = (performance.now() - started) / 1000;
  const after = settle();
  console.log(JSON.stringify({ profiles: PROFILES, rssBefore: before, rssAfter: after, seconds }));
  await engine.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
