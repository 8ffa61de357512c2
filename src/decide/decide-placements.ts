import type { ErrorDetail } from '../errors.ts';
import { isJsonObject } from '../ingest/merge-objects.ts';
import type { CompiledScores } from '../intent/compile-scores.ts';
import type { CompiledDecisions, CompiledPlacement, CompiledVariant } from './compile-decisions.ts';
import { conditionContext, emptyProfileContext, templateScope } from './decision-context.ts';
import { type DecisionLearning, readValues, type VariantTrace } from './decision-trace.ts';
import { armKeys, assignArms, excludingExperiment } from './learn/experiment-arms.ts';
import { type LearnedPropensity, type LearnModel, variantLearner } from './learn/learn-model.ts';
import { learnedPropensity, learningScope, winnerLearning } from './learn/learning-scope.ts';
import { renderContent } from './render-content.ts';

/** What one placement shows: the variant chosen and its rendered content (null when none holds). */
export interface PlacementDecision {
  variant: string | null;
  content: Record<string, unknown> | null;
  /** Set when the placement key is not defined. */
  unknown?: true;
  /** Under `strategy: learn`: the chosen variant's learned propensity, and whether it won by exploring. */
  learning?: DecisionLearning;
  /** The arm of each experiment over this placement the person is in (experiment key → arm key). */
  experiments?: Record<string, string>;
  /** With `trace`: the variants tried, in order (up to the one chosen under `first_match`). */
  trace?: VariantTrace[];
  /** With `trace`: template fields that failed to render (each rendered as `''`). */
  renderErrors?: ErrorDetail[];
}

/** A variant that holds, with what it learned under `strategy: learn`. */
interface Option {
  variant: CompiledVariant;
  learned: LearnedPropensity | undefined;
}

/**
 * Decides placements for one request. Under `first_match` (the default) a placement shows the
 * first variant whose `when` holds (a variant without `when` always holds); under `learn`, among
 * the variants whose `when` holds, the one with the highest learned propensity of reaching its
 * goal (a Thompson sample of its posterior, or its mean when not exploring; ties to the first),
 * read from `model`. Someone in an arm of an experiment over the placement sees only the arm's
 * variant of the experiment's set (a control none of it). Conditions read the profile context
 * (an empty one for someone unknown) with the request's Segment context under `context`
 * (`context.location.city`). An unknown key gives `{ variant: null, content: null, unknown:
 * true }`. Never throws.
 */
export function decidePlacements(input: {
  compiled: CompiledDecisions;
  keys: readonly string[];
  /** The request's Segment context (location, campaign, page…). */
  context: Record<string, unknown>;
  /** The person, when known: profile id and profile context (see `profileContext`). */
  profile?: { id: string; context: Record<string, unknown> } | undefined;
  event?: Record<string, unknown> | undefined;
  /** The workspace's scores, for score labels in templates. */
  scores?: CompiledScores | undefined;
  /** Outcomes learned so far, for placements that learn; without it they use their priors. */
  model?: LearnModel | undefined;
  /** Seeds each placement's Thompson samples (with the profile id, time and placement key). */
  seed?: string | undefined;
  now: number;
  trace: boolean;
}): Record<string, PlacementDecision> {
  const { compiled, now } = input;
  const profile = input.profile?.context ?? emptyProfileContext();
  const context = conditionContext(profile, input.context, input.event);
  let scope: Record<string, unknown> | undefined;
  const decisions: Record<string, PlacementDecision> = {};
  for (const key of input.keys) {
    const placement = compiled.placements.get(key);
    if (placement === undefined) {
      decisions[key] = { variant: null, content: null, unknown: true };
      continue;
    }
    const arms =
      placement.experiments.length === 0
        ? undefined
        : assignArms(placement.experiments, input.profile?.id ?? '');
    const tried: VariantTrace[] = [];
    const holds = (variant: CompiledVariant): boolean => {
      const excludedBy = arms === undefined ? undefined : excludingExperiment(arms, variant.key);
      if (excludedBy !== undefined) {
        if (input.trace) tried.push({ variant: variant.key, holds: false, experiment: excludedBy });
        return false;
      }
      const held = variant.when === undefined || variant.when.matcher(context, now);
      if (input.trace)
        tried.push(
          held || variant.when === undefined
            ? { variant: variant.key, holds: held }
            : { variant: variant.key, holds: held, reads: readValues(variant.when, context) },
        );
      return held;
    };
    const picked =
      placement.strategy === 'learn'
        ? learnVariant({ placement, options: placement.variants.filter(holds), input, context, tried })
        : { chosen: placement.variants.find(holds), learning: undefined };
    const { chosen, learning } = picked;
    const recorded = {
      ...(learning === undefined ? {} : { learning }),
      ...(arms === undefined ? {} : { experiments: armKeys(arms) }),
    };
    if (chosen === undefined) {
      decisions[key] = input.trace
        ? { variant: null, content: null, ...recorded, trace: tried }
        : { variant: null, content: null, ...recorded };
      continue;
    }
    scope ??= templateScope({
      id: input.profile?.id ?? null,
      profile,
      request: input.context,
      event: input.event,
      scores: input.scores,
    });
    const rendered = renderContent(chosen.content, scope);
    const content = isJsonObject(rendered.content) ? rendered.content : {};
    decisions[key] = input.trace
      ? { variant: chosen.key, content, ...recorded, trace: tried, renderErrors: rendered.errors }
      : { variant: chosen.key, content, ...recorded };
  }
  return decisions;
}

/**
 * Under `strategy: learn`: the option with the highest learned propensity (ties to the first),
 * each option's learning written into its trace entry.
 */
function learnVariant(input: {
  placement: CompiledPlacement;
  options: readonly CompiledVariant[];
  input: {
    model?: LearnModel | undefined;
    seed?: string | undefined;
    profile?: { id: string } | undefined;
    now: number;
  };
  context: Record<string, unknown>;
  tried: VariantTrace[];
}): { chosen: CompiledVariant | undefined; learning: DecisionLearning | undefined } {
  const { placement, context } = input;
  const { model, seed, profile, now } = input.input;
  const scope = learningScope(model, `${seed ?? ''}|${profile?.id ?? ''}|${now}|${placement.key}`);
  const options: Option[] = input.options.map((variant) => ({
    variant,
    learned:
      variant.learning === undefined
        ? undefined
        : learnedPropensity({
            scope,
            key: variantLearner(placement.key, variant.key),
            learning: variant.learning,
            context,
          }),
  }));
  for (const option of options) {
    const entry = input.tried.find((trace) => trace.variant === option.variant.key);
    if (entry !== undefined && option.learned !== undefined) entry.learned = option.learned;
  }
  let best: Option | undefined;
  for (const option of options)
    if (best === undefined || (option.learned?.propensity ?? 0) > (best.learned?.propensity ?? 0))
      best = option;
  if (best === undefined) return { chosen: undefined, learning: undefined };
  return {
    chosen: best.variant,
    learning: winnerLearning({
      winner: best,
      learned: best.learned,
      options,
      byMean: (option) => option.learned?.mean ?? 0,
    }),
  };
}
