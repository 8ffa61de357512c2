/**
 * Resident memory, in one of two modes (`BENCH_MEMORY_MODE`):
 * - `profiles` (default): one identify per person for `BENCH_MEMORY_PROFILES` people (default
 *   1M) through the engine, every profile kept in the in-memory view: bytes per cached profile.
 * - `anonymous`: one page view each from `BENCH_MEMORY_PROFILES` distinct anonymous ids under a
 *   cache budget of `BENCH_CACHE_MB` MiB (default 64): resident growth must stay within it.
 * Prints one JSON line, with the view's cached profiles and index entries at the end.
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
const ANONYMOUS = process.env.BENCH_MEMORY_MODE === 'anonymous';
const CACHE_MB = Number(process.env.BENCH_CACHE_MB ?? 64);
const BATCH = 2_500;

function settle(): number {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().rss;
}

const dir = mkdtempSync(join(tmpdir(), 'tailor-bench-memory-'));
try {
  const store = new SqliteStore({ path: join(dir, 'memory.db') });
  const engine = await Engine.open({
    store,
    checkpointIntervalMs: 60_000,
    ...(ANONYMOUS ? { cacheMb: CACHE_MB } : { maxCachedProfiles: PROFILES, maxCachedKeys: 4 * PROFILES }),
  });
  await engine.applyWorkspace(parseWorkspaceYaml({ text: benchWorkspaceYaml('bench') }));
  const before = settle();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  for (let done = 0; done < PROFILES; done += BATCH) {
    const batch = [];
    for (let i = done; i < Math.min(done + BATCH, PROFILES); i += 1) {
      batch.push(
        ANONYMOUS
          ? { type: 'page', anonymousId: `anon-${i}`, name: 'Home', timestamp: '2026-11-01T10:00:00Z' }
          : {
              type: 'identify',
              userId: `user-${i}`,
              anonymousId: `anon-${i}`,
              traits: { email: `person${i}@example.com`, city: 'Bangalore', plan: 'pro' },
              timestamp: '2026-11-01T10:00:00Z',
            },
      );
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
  const cached = engine.cacheSize();
  console.log(
    JSON.stringify({
      mode: ANONYMOUS ? 'anonymous' : 'profiles',
      cacheMb: ANONYMOUS ? CACHE_MB : undefined,
      profiles: PROFILES,
      rssBefore: before,
      rssAfter: after,
      heapBefore,
      heapAfter: process.memoryUsage().heapUsed,
      cached,
      seconds,
    }),
  );
  await engine.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
