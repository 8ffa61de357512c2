import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type SpawnedTailor, spawnTailor, stopTailor } from '../support/spawn-tailor.ts';
import { tempDir } from '../support/test-tailor.ts';
import { runOverload } from './overload-load.ts';

const WRITE_KEY = 'wk_overload';

/** Resident set size of a process (MiB), from /proc. */
function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
}

let tailor: SpawnedTailor | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  if (tailor !== undefined) await stopTailor(tailor, 'SIGKILL');
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  tailor = undefined;
  dataDir = undefined;
});

describe('overload of a real server', () => {
  it('answers 429 with Retry-After early, never 5xx, keeps every event it accepted, and keeps /health and memory in bounds', async () => {
    dataDir = tempDir('tailor-overload-');
    tailor = await spawnTailor({ dataDir, env: { TAILOR_WRITE_KEY: WRITE_KEY } });
    const pid = tailor.child.pid ?? 0;
    const idleMiB = rssMiB(pid);
    // Bounded: 48 clients, ~500 KB batches back to back, 3.5 s, at most 600 requests.
    const figures = await runOverload({
      url: tailor.url,
      writeKey: WRITE_KEY,
      connections: 48,
      seconds: 3.5,
      batchBytes: 500_000,
      maxRequests: 600,
      pid,
    });
    await stopTailor(tailor);
    const db = new Database(join(dataDir, 'tailor.db'), { readonly: true });
    const stored = new Set(
      db
        .prepare<[], { message_id: string }>("SELECT message_id FROM events WHERE message_id LIKE 'ovl-%'")
        .all()
        .map((row) => row.message_id),
    );
    db.close();
    const summary = {
      statuses: figures.statuses,
      noAnswer: figures.failed,
      p99Ms: Math.round(figures.p99Ms),
      healthMedianMs: Math.round(figures.healthMedianMs),
      healthMaxMs: Math.round(figures.healthMaxMs),
      rssGrowthMiB: Math.round(figures.rssPeakMiB - idleMiB),
    };
    const refused = figures.statuses[429] ?? 0;
    expect(refused, JSON.stringify(summary)).toBeGreaterThan(0);
    expect(figures.retryAfter).toBe(refused);
    expect(Object.keys(figures.statuses).filter((status) => Number(status) >= 500)).toEqual([]);
    expect(figures.failed).toBe(0);
    expect(figures.acceptedIds.length).toBeGreaterThan(0);
    expect(figures.acceptedIds.filter((id) => !stored.has(id))).toEqual([]);
    expect(figures.healthFailed).toBe(0);
    // The server yields to I/O at least every 8 ms of CPU work, so /health waits for one turn of
    // the event loop: tens of milliseconds alone, more when the machine is shared with the rest
    // of the suite (a turn serves a slice of every request in flight), never seconds.
    expect(figures.healthMedianMs, JSON.stringify(summary)).toBeLessThan(300);
    expect(figures.healthMaxMs, JSON.stringify(summary)).toBeLessThan(2_000);
    // 16 MiB of bodies in flight (the default) grows to about ten times that in parsed events,
    // buffers and SQLite pages, and the peak depends on when the collector runs: under 256 MiB
    // over the idle server in most runs on the shared 2-core machine, up to 390 MiB in some.
    // The run offers 300 MB of bodies (600 of 500 KB), ten times that once parsed: a server
    // that kept what it was offered would pass 512 MiB by far.
    expect(figures.rssPeakMiB - idleMiB, JSON.stringify(summary)).toBeLessThan(512);
  }, 60_000);
});
