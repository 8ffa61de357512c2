/**
 * The learning benchmark: (1) the shipped scenario (`examples/learn/scenario.yaml`) through
 * `tailor simulate`'s code, printing its report and whether the targets were met; (2) decide
 * latency with learning off and on, in the same run: the decide benchmark (`bench/decide.ts`:
 * `decideFor` in process, then `POST /v1/decide` over HTTP against the bare Fastify baseline)
 * twice on the same number of people, once with the decide workspace as it is and once with
 * every one of its 50 actions and 20 placements learning (a goal, two predictors; in process a
 * model filled with outcomes in every bin, over HTTP the model the server's own recorded
 * decisions fill), so the two differ only by learning.
 */
import { simulateCommand } from '../src/cli/simulate-command.ts';
import { type DecideBenchResult, decideBench } from './decide.ts';

/** The scenario the targets are measured on. */
export const LEARN_SCENARIO = 'examples/learn/scenario.yaml';

/** What the learning benchmark measured. */
export interface LearnBenchResult {
  report: string;
  met: boolean;
  seconds: number;
  off: DecideBenchResult;
  on: DecideBenchResult;
}

/** Runs both halves; `profiles`, `rounds`, `seconds` and `calls` size the decide latency half. */
export async function learnBench(input: {
  profiles: number;
  rounds: number;
  seconds: number;
  calls: number;
}): Promise<LearnBenchResult> {
  const started = performance.now();
  const { report, met } = await simulateCommand({ path: LEARN_SCENARIO });
  const seconds = (performance.now() - started) / 1000;
  const decide = (learn: boolean): Promise<DecideBenchResult> =>
    decideBench({
      profiles: input.profiles,
      rounds: input.rounds,
      seconds: input.seconds,
      inProcessCalls: input.calls,
      learn,
    });
  const off = await decide(false);
  const on = await decide(true);
  return { report, met, seconds, off, on };
}
