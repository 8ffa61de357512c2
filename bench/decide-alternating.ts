/**
 * Decide latency with learning off and on in one process, rounds alternating, so both meet the
 * same machine load (the decide benchmark's runs are back to back and a shared machine's load
 * moves between them): the decide workspace compiled twice (`decideWorkspaceYaml`, learning off
 * and on), each learner's model filled with 1,000 outcomes in every plan × city bin, then
 * `decideFor` for one placement and the next best action with the request contexts of the
 * decide benchmark, for a visitor with no profile (so no store is read: only deciding is timed).
 * The first round of each is a warm-up and not counted.
 */
import { LearnModel } from '../src/decide/learn/learn-model.ts';
import { type CompiledWorkspace, compileWorkspace } from '../src/engine/compiled-workspace.ts';
import { decideFor } from '../src/engine/decide-for.ts';
import { parseWorkspaceYaml } from '../src/workspace/load-workspace.ts';
import { seededRandom } from '../test/support/seeded-random.ts';
import {
  DECIDE_CITIES,
  DECIDE_PLACEMENTS,
  decidePlacementKey,
  decideRequestContext,
  decideWorkspaceYaml,
} from './workload.ts';

/** Microseconds per decision over the counted rounds. */
export interface AlternatingFigures {
  off: { p50: number; p99: number };
  on: { p50: number; p99: number };
  decisions: number;
}

/** Runs `rounds` rounds (plus a warm-up) of `calls` decisions with learning off, then on. */
export function alternatingDecideLatency(input: { rounds: number; calls: number }): AlternatingFigures {
  const now = Date.now();
  const setup = (learn: boolean): { workspace: CompiledWorkspace; model: LearnModel } => {
    const workspace = compileWorkspace(
      parseWorkspaceYaml({ text: decideWorkspaceYaml({ id: 'bench', now, learn }) }),
      1,
    );
    const model = new LearnModel();
    const random = seededRandom(1);
    for (const key of workspace.decisions.learners.keys())
      for (const plan of ['free', 'pro', '-'])
        for (const city of [...DECIDE_CITIES, '-'])
          for (let trial = 0; trial < 1_000; trial += 1) {
            model.trial(key, `${plan}|${city}`);
            if (random() < 0.1) model.success(key, `${plan}|${city}`);
          }
    return { workspace, model };
  };
  const runs = { off: setup(false), on: setup(true) };
  const next = seededRandom(42);
  const requests = Array.from({ length: input.calls }, (_, i) => ({
    placement: decidePlacementKey(i % DECIDE_PLACEMENTS),
    context: decideRequestContext(next),
  }));
  const times: Record<'off' | 'on', number[]> = { off: [], on: [] };
  for (let round = 0; round <= input.rounds; round += 1)
    for (const name of ['off', 'on'] as const) {
      const { workspace, model } = runs[name];
      for (const [i, request] of requests.entries()) {
        const started = performance.now();
        decideFor({
          workspace,
          profile: undefined,
          request: { placements: [request.placement], actions: true, context: request.context, trace: false },
          now,
          model,
          seed: `bench-${round}-${i}`,
        });
        if (round > 0) times[name].push(performance.now() - started);
      }
    }
  const spread = (list: number[]) => {
    list.sort((a, b) => a - b);
    const at = (q: number) => (list[Math.min(list.length - 1, Math.floor(q * list.length))] ?? 0) * 1000;
    return { p50: at(0.5), p99: at(0.99) };
  };
  return { off: spread(times.off), on: spread(times.on), decisions: input.rounds * input.calls };
}
