import type { DecisionLearning } from '../decision-trace.ts';
import { type CompiledLearning, type LearnedPropensity, LearnModel } from './learn-model.ts';
import { seededRandom } from './seeded-random.ts';

/** What learners use when no model is given: their priors. */
const NO_OUTCOMES = new LearnModel();

/**
 * What the learners of one choice (next best action, or one placement's variant) read: the
 * model and the choice's random numbers, drawn from a seed so the same choice re-made samples
 * alike.
 */
export interface LearningScope {
  readonly model: LearnModel;
  readonly random: () => number;
  /** Whether this choice ranks by samples: drawn once per choice against `maxExploration`. */
  readonly sampling: (learning: CompiledLearning) => boolean;
  /** The bin by bin function, read once per choice for learners that share predictors. */
  readonly bins: Map<CompiledLearning['bin'], string>;
}

/** A scope for one choice: `seed` names it (the decision's id, profile and time, and what is chosen). */
export function learningScope(model: LearnModel | undefined, seed: string): LearningScope {
  const random = seededRandom(seed);
  const draw = random();
  return {
    model: model ?? NO_OUTCOMES,
    random,
    sampling: (rule) => rule.explore && draw < rule.maxExploration,
    bins: new Map(),
  };
}

/**
 * A learner's propensity for this choice, in the bin the context falls in: a Thompson sample of
 * its posterior when the choice samples, else the posterior mean (see `LearnModel.estimate`).
 */
export function learnedPropensity(input: {
  scope: LearningScope;
  key: string;
  learning: CompiledLearning;
  context: Record<string, unknown>;
}): LearnedPropensity {
  const { scope, learning } = input;
  let bin = scope.bins.get(learning.bin);
  if (bin === undefined) {
    bin = learning.bin(input.context);
    scope.bins.set(learning.bin, bin);
  }
  return scope.model.estimate({
    key: input.key,
    learning,
    bin,
    random: scope.sampling(learning) ? scope.random : undefined,
  });
}

/**
 * The winner's learning as a decision records it: its learned propensity and whether it won by
 * exploring, that is, another option (`byMean`'s best) ranked first by posterior means.
 */
export function winnerLearning<T>(input: {
  winner: T;
  learned: LearnedPropensity | undefined;
  options: readonly T[];
  /** An option's rank without exploring (its priority or propensity with the mean in place of a sample). */
  byMean: (option: T) => number;
}): DecisionLearning | undefined {
  const { winner, learned } = input;
  if (learned === undefined) return undefined;
  let best = winner;
  for (const option of input.options) if (input.byMean(option) > input.byMean(best)) best = option;
  return { ...learned, explored: best !== winner };
}
