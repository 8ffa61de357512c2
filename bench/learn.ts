/**
 * The learning benchmark: (1) the shipped scenario (`examples/learn/scenario.yaml`) through
 * `tailor simulate`'s code, printing its report and whether the targets were met; (2) decide
 * latency with learning off and on: the decide benchmark's in-process half
 * (`bench/decide-in-process.ts`) twice on the same people, once with the decide workspace as it
 * is and once with every one of its 50 actions learning (a goal, two predictors, a model filled
 * with outcomes in every bin), so the two figures differ only by learning.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulateCommand } from '../src/cli/simulate-command.ts';
import type { DecideInProcessRun } from './decide-in-process.ts';
import { runScript } from './processes.ts';
import { decideWorkspaceYaml } from './workload.ts';

/** The scenario the targets are measured on. */
export const LEARN_SCENARIO = 'examples/learn/scenario.yaml';

/** What the learning benchmark measured. */
export interface LearnBenchResult {
  report: string;
  met: boolean;
  seconds: number;
  off: DecideInProcessRun;
  on: DecideInProcessRun;
}

/** Runs both halves; `profiles`, `rounds` and `calls` size the decide latency half. */
export async function learnBench(input: {
  profiles: number;
  rounds: number;
  calls: number;
}): Promise<LearnBenchResult> {
  const started = performance.now();
  const { report, met } = await simulateCommand({ path: LEARN_SCENARIO });
  const seconds = (performance.now() - started) / 1000;
  const now = Date.now();
  const decide = async (learn: boolean): Promise<DecideInProcessRun> => {
    const dir = mkdtempSync(join(tmpdir(), 'tailor-bench-learn-'));
    try {
      mkdirSync(join(dir, 'data'));
      writeFileSync(join(dir, 'tailor.yaml'), decideWorkspaceYaml({ id: 'bench', now, learn }));
      return await runScript<DecideInProcessRun>('bench/decide-in-process.ts', {
        env: {
          BENCH_DECIDE_DIR: dir,
          BENCH_DECIDE_PROFILES: String(input.profiles),
          BENCH_DECIDE_ROUNDS: String(input.rounds),
          BENCH_DECIDE_CALLS: String(input.calls),
          BENCH_DECIDE_NOW: String(now),
        },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const off = await decide(false);
  const on = await decide(true);
  return { report, met, seconds, off, on };
}
