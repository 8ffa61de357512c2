/**
 * The learning benchmark: (1) the shipped scenario (`examples/learn/scenario.yaml`) through
 * `tailor simulate`'s code, printing its report and whether the targets were met; (2) decide
 * latency with learning off and on, in the same run: the decide benchmark (`bench/decide.ts`:
 * `decideFor` in process, then `POST /v1/decide` over HTTP against the bare Fastify baseline)
 * twice on the same number of people, once with the decide workspace as it is and once with
 * every one of its 50 actions and 20 placements learning (a goal, two predictors; in process a
 * model filled with outcomes in every bin, over HTTP the model the server's own recorded
 * decisions fill), so the two differ only by learning; (3) since the two runs are back to back
 * and a shared machine's load moves between them, the same decisions in one process with
 * learning off and on in alternating rounds (`bench/decide-alternating.ts`), and the same over
 * HTTP: `POST /v1/decide` against a server with learning off and one with it on, rounds
 * alternating (`bench/decide-learning-http.ts`); (4) what a start
 * costs on a log of recorded decisions, with the learning state kept and without it
 * (`bench/learn-startup.ts`).
 */
import { simulateCommand } from '../src/cli/simulate-command.ts';
import { type DecideBenchResult, decideBench } from './decide.ts';
import { type AlternatingFigures, alternatingDecideLatency } from './decide-alternating.ts';
import { type DecideLearningHttpResult, decideLearningHttp } from './decide-learning-http.ts';
import { type LearnStartupResult, learnStartupBench } from './learn-startup.ts';

/** The scenario the targets are measured on. */
export const LEARN_SCENARIO = 'examples/learn/scenario.yaml';

/** What the learning benchmark measured. */
export interface LearnBenchResult {
  report: string;
  met: boolean;
  seconds: number;
  off: DecideBenchResult;
  on: DecideBenchResult;
  /** The same decisions in one process, rounds alternating (`bench/decide-alternating.ts`). */
  alternating: AlternatingFigures;
  /** `POST /v1/decide` with learning off and on, rounds alternating (`bench/decide-learning-http.ts`). */
  http: DecideLearningHttpResult;
  startup: LearnStartupResult;
}

/** Runs both halves; `profiles`, `rounds`, `seconds` and `calls` size the decide latency half. */
export async function learnBench(input: {
  profiles: number;
  rounds: number;
  seconds: number;
  calls: number;
  /** Recorded decisions in the start-up half's log. */
  startupDecisions: number;
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
  const alternating = alternatingDecideLatency({ rounds: input.rounds, calls: input.calls });
  const http = await decideLearningHttp({
    profiles: input.profiles,
    rounds: input.rounds,
    seconds: input.seconds,
  });
  const startup = await learnStartupBench({ decisions: input.startupDecisions, rounds: input.rounds });
  return { report, met, seconds, off, on, alternating, http, startup };
}
