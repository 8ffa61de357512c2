/**
 * The write cost of `PRAGMA secure_delete` on the view-commit workload: the engine end to end
 * (log append, identity, profiles, view commits that rewrite profile JSON) over a file store,
 * with secure_delete OFF, FAST and ON (what the store uses), in alternating rounds. Prints one
 * JSON line per mode: median events/s and bytes this process wrote (`/proc/self/io`).
 * `BENCH_EVENTS`, `BENCH_PEOPLE`, `BENCH_ROUNDS` size it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/engine.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../src/workspace/load-workspace.ts';
import { decodeBody, eventBodies } from './in-memory.ts';
import { benchWorkspaceYaml } from './workload.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MODES = ['OFF', 'FAST', 'ON'] as const;

function bytesWritten(): number {
  const line = readFileSync('/proc/self/io', 'utf8')
    .split('\n')
    .find((row) => row.startsWith('write_bytes:'));
  return Number(line?.split(':')[1] ?? 0);
}

async function run(
  input: string[],
  dir: string,
  mode: (typeof MODES)[number],
): Promise<{ rate: number; bytes: number }> {
  const store = new SqliteStore({ path: join(dir, `${mode}-${Math.random()}.db`) });
  // The store turns secure_delete ON when it opens; the other modes are set over it, for comparison only.
  store['db'].pragma(`secure_delete = ${mode}`);
  const engine = await Engine.open({ store, checkpointIntervalMs: 1_000 });
  await engine.applyWorkspace(parseWorkspaceYaml({ text: benchWorkspaceYaml('bench') }));
  const written = bytesWritten();
  const started = performance.now();
  for (const body of input) await engine.ingest('bench', decodeBody(body));
  await engine.commit();
  const seconds = (performance.now() - started) / 1000;
  const bytes = bytesWritten() - written;
  await engine.close();
  return { rate: EVENTS / seconds, bytes };
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const dir = mkdtempSync(join(tmpdir(), 'tailor-bench-secure-delete-'));
try {
  const input = eventBodies({ events: EVENTS, people: PEOPLE });
  const results = new Map<string, { rate: number; bytes: number }[]>();
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const mode of MODES) {
      const list = results.get(mode) ?? [];
      list.push(await run(input, dir, mode));
      results.set(mode, list);
    }
  }
  for (const [mode, list] of results) {
    console.log(
      JSON.stringify({
        secure_delete: mode,
        events: EVENTS,
        people: PEOPLE,
        events_per_s: Math.round(median(list.map((r) => r.rate))),
        mib_written: Math.round(median(list.map((r) => r.bytes)) / 2 ** 20),
      }),
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
