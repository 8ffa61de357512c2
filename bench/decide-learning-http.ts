/**
 * `POST /v1/decide` over HTTP with learning off and on, in the same run and alternating, so both
 * meet the same machine load (the decide benchmark's two runs are back to back, and a shared
 * machine's load moves between them): the decide workspace twice (`decideWorkspaceYaml`,
 * learning off and on), each with `profiles` people loaded into its own SQLite file
 * (bench/decide-in-process.ts, its in-process timing cut to one short round), then the bare
 * Fastify baseline and a `tailor start` on each, warmed up, and `rounds` rounds of `seconds`
 * each: baseline, then off and on in turn (which goes first alternates by round).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DecideHttpFigures, load } from './decide.ts';
import type { DecideInProcessRun } from './decide-in-process.ts';
import { type Running, runScript, startProcess } from './processes.ts';
import { decideWorkspaceYaml } from './workload.ts';

const WRITE_KEY = 'wk_bench_decide';
const ADMIN_KEY = 'ak_bench_decide';

/** The runs of each server, in round order. */
export interface DecideLearningHttpResult {
  baseline: DecideHttpFigures[];
  off: DecideHttpFigures[];
  on: DecideHttpFigures[];
}

/** Loads the two data sets, starts the three servers and runs the alternating rounds. */
export async function decideLearningHttp(input: {
  profiles: number;
  rounds: number;
  seconds: number;
}): Promise<DecideLearningHttpResult> {
  const root = mkdtempSync(join(tmpdir(), 'tailor-bench-decide-learning-'));
  const now = Date.now();
  const running: Running[] = [];
  try {
    const dataDirs: Record<'off' | 'on', { dataDir: string; config: string }> = {
      off: { dataDir: '', config: '' },
      on: { dataDir: '', config: '' },
    };
    for (const mode of ['off', 'on'] as const) {
      const dir = join(root, mode);
      const config = join(dir, 'tailor.yaml');
      mkdirSync(dir);
      writeFileSync(config, decideWorkspaceYaml({ id: 'bench', now, learn: mode === 'on' }));
      await runScript<DecideInProcessRun>('bench/decide-in-process.ts', {
        env: {
          BENCH_DECIDE_DIR: dir,
          BENCH_DECIDE_PROFILES: String(input.profiles),
          BENCH_DECIDE_ROUNDS: '1',
          BENCH_DECIDE_CALLS: '1000',
          BENCH_DECIDE_NOW: String(now),
        },
      });
      dataDirs[mode] = { dataDir: join(dir, 'data'), config };
    }
    const bare = await startProcess({
      args: ['--import', 'tsx', 'bench/bare-server.ts'],
      ready: /listening on (\S+)/,
    });
    running.push(bare);
    const servers: Record<'off' | 'on', Running> = { off: bare, on: bare };
    for (const mode of ['off', 'on'] as const) {
      const { dataDir, config } = dataDirs[mode];
      const server = await startProcess({
        args: ['bin/tailor.js', 'start', '--port', '0', '--data-dir', dataDir, '--config', config],
        env: { TAILOR_WRITE_KEY: WRITE_KEY, TAILOR_ADMIN_KEY: ADMIN_KEY, TAILOR_LOG_LEVEL: 'warn' },
        ready: /Tailor is running on (http:\/\/\S+)/,
      });
      running.push(server);
      servers[mode] = server;
    }
    const run = (url: string, seconds: number): Promise<DecideHttpFigures> =>
      load({ url, call: 'decide', seconds, profiles: input.profiles });
    const warmUp = Math.max(1, Math.round(input.seconds / 3));
    process.stderr.write(`decide learning off/on: warming up (${warmUp} s each)\n`);
    await run(bare.url, warmUp);
    await run(servers.off.url, warmUp);
    await run(servers.on.url, warmUp);
    const result: DecideLearningHttpResult = { baseline: [], off: [], on: [] };
    for (let round = 0; round < input.rounds; round += 1) {
      process.stderr.write(`decide learning off/on: round ${round + 1}/${input.rounds}\n`);
      result.baseline.push(await run(bare.url, input.seconds));
      const order = round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const);
      for (const mode of order) result[mode].push(await run(servers[mode].url, input.seconds));
    }
    return result;
  } finally {
    for (const server of running.reverse()) await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
