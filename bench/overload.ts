/**
 * Overload: many clients POST ~500 KB batches to a real `tailor start` at once, while `/health`
 * is probed and the server's RSS sampled. Prints the share of 429s, p50/p99, the slowest
 * `/health` answer, the RSS peak and how many accepted events are durable.
 * `OVERLOAD_CONNECTIONS` (200), `OVERLOAD_SECONDS` (10), `OVERLOAD_BATCH_BYTES` (500,000);
 * any `TAILOR_*` variable set for this program is passed on to the server.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runOverload } from '../test/security/overload-load.ts';
import { spawnTailor, stopTailor } from '../test/support/spawn-tailor.ts';
import { tempDir } from '../test/support/test-tailor.ts';

const WRITE_KEY = 'wk_bench_overload';
const connections = Number(process.env.OVERLOAD_CONNECTIONS ?? 200);
const seconds = Number(process.env.OVERLOAD_SECONDS ?? 10);
const batchBytes = Number(process.env.OVERLOAD_BATCH_BYTES ?? 500_000);

const dataDir = tempDir('tailor-bench-overload-');
const env: Record<string, string> = { TAILOR_WRITE_KEY: WRITE_KEY };
for (const [name, value] of Object.entries(process.env)) {
  if (name.startsWith('TAILOR_') && value !== undefined) env[name] = value;
}
const tailor = await spawnTailor({ dataDir, env });
const figures = await runOverload({
  url: tailor.url,
  writeKey: WRITE_KEY,
  connections,
  seconds,
  batchBytes,
  maxRequests: Number.MAX_SAFE_INTEGER,
  ...(tailor.child.pid === undefined ? {} : { pid: tailor.child.pid }),
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
rmSync(dataDir, { recursive: true, force: true });
const refused = figures.statuses[429] ?? 0;
const summary = {
  connections,
  seconds,
  requests: figures.requests,
  statuses: figures.statuses,
  noAnswer: figures.failed,
  share429: Number((refused / Math.max(1, figures.requests)).toFixed(3)),
  retryAfterOn429: figures.retryAfter,
  p50Ms: Math.round(figures.p50Ms),
  p99Ms: Math.round(figures.p99Ms),
  healthProbes: figures.healthProbes,
  healthMedianMs: Math.round(figures.healthMedianMs),
  healthMaxMs: Math.round(figures.healthMaxMs),
  healthFailed: figures.healthFailed,
  rssPeakMiB: Math.round(figures.rssPeakMiB),
  acceptedEvents: figures.acceptedIds.length,
  acceptedDurable: figures.acceptedIds.filter((id) => stored.has(id)).length,
};
console.log(JSON.stringify(summary));
