import { compilePath } from '../../conditions/path-getter.ts';
import type { GoalDef, LearningDef } from '../decision-def.ts';
import type { CompiledLearning } from './learn-model.ts';
import { compilePredictorBin } from './predictor-bin.ts';

/** What `learning` means when a workspace does not say: a prior worth 2 decisions, Thompson sampling on every decision. */
export const DEFAULT_LEARNING: LearningDef = { priorStrength: 2, explore: true, maxExploration: 1 };

/** Lowest and highest prior mean: a declared propensity of 0 or 1 would never move. */
const PRIOR_MEAN_RANGE = [0.001, 0.999] as const;

/** Bin functions by predictor list, shared: learners with the same predictors share one, read once per decision. */
export type BinCache = Map<string, (context: Record<string, unknown>) => string>;

/**
 * How one learner (an action with a goal, or a variant of a placement with `strategy: learn`)
 * learns: its goal, its predictors' bin function (shared through `bins` with every learner that
 * names the same predictors), and a Beta prior centred on `propensity` (held inside (0, 1)) with
 * the workspace's `learning` settings.
 */
export function compileLearning(input: {
  goal: GoalDef;
  predictors: readonly string[];
  propensity: number;
  learning: LearningDef | undefined;
  bins: BinCache;
}): CompiledLearning {
  const { goal, predictors } = input;
  const learning = input.learning ?? DEFAULT_LEARNING;
  const binKey = JSON.stringify(predictors);
  let bin = input.bins.get(binKey);
  if (bin === undefined) {
    bin = compilePredictorBin(predictors);
    input.bins.set(binKey, bin);
  }
  const [low, high] = PRIOR_MEAN_RANGE;
  return {
    goal: { event: goal.event, withinMs: goal.withinMs, value: goal.value },
    goalValue: goal.value === undefined ? undefined : compilePath(goal.value),
    predictors,
    bin,
    priorMean: Math.min(Math.max(input.propensity, low), high),
    priorStrength: learning.priorStrength,
    explore: learning.explore,
    maxExploration: learning.maxExploration,
  };
}
