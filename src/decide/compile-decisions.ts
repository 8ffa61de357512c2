import {
  type CompiledCondition,
  compileConditionWithReads,
  validateCondition,
} from '../conditions/compile-condition.ts';
import { type ErrorDetail, TailorError } from '../errors.ts';
import { type CompiledContent, childPath, compileContent } from './compiled-content.ts';
import type {
  ActionDef,
  ContactPolicyDef,
  DecisionsDef,
  ExperimentDef,
  GoalDef,
  HoldoutDef,
  LearningDef,
  PlacementDef,
  PlacementStrategy,
} from './decision-def.ts';
import { type BinCache, compileLearning } from './learn/compile-learning.ts';
import { type CompiledExperiment, compileExperiment } from './learn/experiment-arms.ts';
import { type CompiledLearning, variantLearner } from './learn/learn-model.ts';
import { isTimeZone, parseClock } from './zoned-time.ts';

/** A condition compiled once, with the context paths it reads (for the trace). */
export interface CompiledCheck {
  readonly matcher: CompiledCondition;
  readonly paths: readonly string[];
}

/** A variant ready to decide: its `when` (undefined: always holds) and its content. */
export interface CompiledVariant {
  readonly key: string;
  readonly when: CompiledCheck | undefined;
  readonly content: CompiledContent;
  /** Under `strategy: learn`: how it learns, under the key `variantLearner(placement, variant)`. */
  readonly learning: CompiledLearning | undefined;
}

/** A placement with its variants in order. */
export interface CompiledPlacement {
  readonly key: string;
  readonly def: PlacementDef;
  readonly strategy: PlacementStrategy;
  readonly variants: readonly CompiledVariant[];
  /** The experiments over its variants, in definition order. */
  readonly experiments: readonly CompiledExperiment[];
}

/** The three gates of an action, by name, in the order they are evaluated. */
export type ActionGate = 'eligibility' | 'applicability' | 'suitability';

/** An action ready for arbitration. */
export interface CompiledAction {
  readonly key: string;
  readonly def: ActionDef;
  /** Its position in the definition, which breaks ties. */
  readonly index: number;
  readonly channels: readonly string[];
  /** Content by channel. */
  readonly content: ReadonlyMap<string, CompiledContent>;
  readonly value: number;
  readonly weight: number;
  readonly propensity: number;
  /** The gates it declares, in order. */
  readonly gates: readonly { readonly gate: ActionGate; readonly check: CompiledCheck }[];
  readonly contextWeights: readonly { readonly check: CompiledCheck; readonly weight: number }[];
  readonly cooldownMs: number | undefined;
  /** Set for an action with a goal: its propensity is learned from outcomes. */
  readonly learning: CompiledLearning | undefined;
}

/** Quiet hours as minutes after local midnight. */
export interface CompiledQuietHours {
  readonly start: string;
  readonly end: string;
  readonly startMinute: number;
  readonly endMinute: number;
  readonly defaultTimezone: string;
}

/** A workspace's decisions, compiled once per definition version. */
export interface CompiledDecisions {
  readonly def: DecisionsDef;
  readonly placements: ReadonlyMap<string, CompiledPlacement>;
  /** The candidates of next-best-action arbitration, in definition order (journey-only ones left out). */
  readonly actions: readonly CompiledAction[];
  /** Every action by key, journey-only ones too (a journey's `send` step asks for one by key). */
  readonly actionsByKey: ReadonlyMap<string, CompiledAction>;
  readonly contactPolicy: ContactPolicyDef;
  readonly quietHours: CompiledQuietHours | undefined;
  readonly holdout: HoldoutDef | undefined;
  /** Every experiment, over action sets and over placements, in definition order. */
  readonly experiments: readonly CompiledExperiment[];
  /** The experiments over action sets, which next best action reads. */
  readonly actionExperiments: readonly CompiledExperiment[];
  /**
   * Everything that learns, by learner key: actions with a goal by their key, variants of
   * placements with `strategy: learn` by `variantLearner(placement, variant)`.
   */
  readonly learners: ReadonlyMap<string, CompiledLearning>;
  /** The goal events of learners and of experiments, and the longest goal window (0 when none). */
  readonly goals: {
    readonly events: ReadonlySet<string>;
    readonly longestMs: number;
    /** Each experiment's goal, by experiment key. */
    readonly experiments: ReadonlyMap<string, GoalDef>;
  };
}

const GATES: readonly ActionGate[] = ['eligibility', 'applicability', 'suitability'];

/**
 * Compiles the decisions section: every condition once, every string of every content object
 * parsed as a Liquid template once, placements and actions indexed by key. Throws
 * `TailorError('INVALID_DECISIONS')` whose details list every problem with its JSON path
 * (`actions[0].eligibility.traits.age.$gt`, `placements[1].variants[0].content.title`).
 */
export function compileDecisions(def: DecisionsDef): CompiledDecisions {
  const issues: ErrorDetail[] = [];
  const compiled = compileAll(def, issues);
  const first = issues[0];
  if (first !== undefined) {
    const more =
      issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    throw new TailorError(
      'INVALID_DECISIONS',
      `Invalid decisions: ${first.path} ${first.message}${more}`,
      issues,
    );
  }
  return compiled;
}

/** Every problem of a decisions section as `{ path, message }`; an empty list means it compiles. */
export function validateDecisions(def: DecisionsDef): ErrorDetail[] {
  const issues: ErrorDetail[] = [];
  compileAll(def, issues);
  return issues;
}

function compileAll(def: DecisionsDef, issues: ErrorDetail[]): CompiledDecisions {
  const bins: BinCache = new Map();
  const variantKeys = new Map<string, ReadonlySet<string>>();
  for (const placement of def.placements)
    if (!variantKeys.has(placement.key))
      variantKeys.set(placement.key, new Set(placement.variants.map((variant) => variant.key)));
  // Experiments are compiled first (placements carry theirs) but report after actions.
  const experimentIssues: ErrorDetail[] = [];
  const experiments = compileExperiments({
    defs: def.experiments ?? [],
    actionKeys: new Set(def.actions.map((action) => action.key)),
    placements: variantKeys,
    issues: experimentIssues,
  });
  const placements = new Map<string, CompiledPlacement>();
  def.placements.forEach((placement, index) => {
    const path = `placements[${index}]`;
    if (placements.has(placement.key))
      issues.push({ path: `${path}.key`, message: `repeats the placement key \`${placement.key}\`` });
    const over = experiments.filter((experiment) => experiment.placement === placement.key);
    placements.set(
      placement.key,
      compilePlacement({ def: placement, path, issues, learning: def.learning, bins, experiments: over }),
    );
  });
  const compiled = def.actions.map((action, index) =>
    compileAction({ def: action, index, issues, learning: def.learning, bins }),
  );
  const actions = compiled.filter((action) => action.def.journeyOnly !== true);
  const actionsByKey = new Map<string, CompiledAction>();
  for (const action of compiled) {
    if (actionsByKey.has(action.key))
      issues.push({
        path: `actions[${action.index}].key`,
        message: `repeats the action key \`${action.key}\``,
      });
    else actionsByKey.set(action.key, action);
  }
  issues.push(...experimentIssues);
  const learners = new Map<string, CompiledLearning>();
  for (const action of compiled) if (action.learning !== undefined) learners.set(action.key, action.learning);
  for (const placement of placements.values())
    for (const variant of placement.variants)
      if (variant.learning !== undefined)
        learners.set(variantLearner(placement.key, variant.key), variant.learning);
  def.contactPolicy.caps.forEach((cap, index) => {
    if (!Number.isInteger(cap.max) || cap.max < 0)
      issues.push({
        path: `contactPolicy.caps[${index}].max`,
        message: 'must be a whole number of at least 0',
      });
    if (!(cap.perMs > 0))
      issues.push({
        path: `contactPolicy.caps[${index}].perMs`,
        message: 'must be a duration longer than zero',
      });
  });
  return {
    def,
    placements,
    actions,
    actionsByKey,
    contactPolicy: def.contactPolicy,
    quietHours: compileQuietHours(def.contactPolicy, issues),
    holdout: compileHoldout(def.holdout, issues),
    experiments,
    actionExperiments: experiments.filter((experiment) => experiment.placement === undefined),
    learners,
    goals: goalsOf(learners.values(), def.experiments ?? []),
  };
}

function compileExperiments(input: {
  defs: readonly ExperimentDef[];
  actionKeys: ReadonlySet<string>;
  placements: ReadonlyMap<string, ReadonlySet<string>>;
  issues: ErrorDetail[];
}): CompiledExperiment[] {
  const { actionKeys, placements, issues } = input;
  const keys = new Set<string>();
  return input.defs.map((experiment, index) => {
    const path = `experiments[${index}]`;
    if (keys.has(experiment.key))
      issues.push({ path: `${path}.key`, message: `repeats the experiment key \`${experiment.key}\`` });
    keys.add(experiment.key);
    return compileExperiment({ def: experiment, actionKeys, placements, path, issues });
  });
}

function goalsOf(
  learners: Iterable<CompiledLearning>,
  experiments: readonly ExperimentDef[],
): CompiledDecisions['goals'] {
  const events = new Set<string>();
  let longestMs = 0;
  const byExperiment = new Map<string, GoalDef>();
  for (const { key, goal } of experiments) {
    events.add(goal.event);
    longestMs = Math.max(longestMs, goal.withinMs);
    byExperiment.set(key, goal);
  }
  for (const learning of learners) {
    events.add(learning.goal.event);
    longestMs = Math.max(longestMs, learning.goal.withinMs);
  }
  return { events, longestMs, experiments: byExperiment };
}

/** A variant's prior mean under `strategy: learn` when it declares none: a uniform prior. */
const DEFAULT_VARIANT_PROPENSITY = 0.5;

function compilePlacement(input: {
  def: PlacementDef;
  path: string;
  issues: ErrorDetail[];
  learning: LearningDef | undefined;
  bins: BinCache;
  experiments: readonly CompiledExperiment[];
}): CompiledPlacement {
  const { def, path, issues } = input;
  const strategy = def.strategy ?? 'first_match';
  const keys = new Set<string>();
  const variants = def.variants.map((variant, index): CompiledVariant => {
    const at = `${path}.variants[${index}]`;
    if (keys.has(variant.key))
      issues.push({ path: `${at}.key`, message: `repeats the variant key \`${variant.key}\`` });
    keys.add(variant.key);
    const goal = variant.goal ?? def.goal;
    const propensity = variant.propensity ?? DEFAULT_VARIANT_PROPENSITY;
    if (strategy === 'learn' && goal === undefined)
      issues.push({
        path: `${at}.goal`,
        message: "is missing: under `strategy: learn` each variant needs a goal, its own or the placement's",
      });
    if (!(propensity >= 0 && propensity <= 1))
      issues.push({ path: `${at}.propensity`, message: 'must be a number from 0 to 1' });
    return {
      key: variant.key,
      when: variant.when === undefined ? undefined : compileCheck(variant.when, `${at}.when`, issues),
      content: compileContent(variant.content, `${at}.content`, issues, def.format ?? 'html'),
      learning:
        strategy === 'learn' && goal !== undefined
          ? compileLearning({
              goal,
              predictors: def.predictors ?? [],
              propensity,
              learning: input.learning,
              bins: input.bins,
            })
          : undefined,
    };
  });
  return { key: def.key, def, strategy, variants, experiments: input.experiments };
}

function compileAction(input: {
  def: ActionDef;
  index: number;
  issues: ErrorDetail[];
  learning: LearningDef | undefined;
  bins: BinCache;
}): CompiledAction {
  const { def, index, issues } = input;
  const path = `actions[${index}]`;
  const content = new Map<string, CompiledContent>();
  for (const channel of def.channels) {
    const channelContent = def.content[channel];
    const at = childPath(`${path}.content`, channel);
    if (channelContent === undefined)
      issues.push({ path: at, message: `is missing: every channel needs content` });
    else content.set(channel, compileContent(channelContent, at, issues, 'html-fields'));
  }
  if (def.channels.length === 0) issues.push({ path: `${path}.channels`, message: 'lists no channel' });
  const gates = GATES.flatMap((gate) => {
    const condition = def[gate];
    return condition === undefined
      ? []
      : [{ gate, check: compileCheck(condition, `${path}.${gate}`, issues) }];
  });
  const contextWeights = def.contextWeights.map((entry, weightIndex) => ({
    check: compileCheck(entry.when, `${path}.contextWeights[${weightIndex}].when`, issues),
    weight: entry.weight,
  }));
  for (const field of ['value', 'weight', 'propensity'] as const)
    if (!Number.isFinite(def[field]) || def[field] < 0)
      issues.push({ path: `${path}.${field}`, message: 'must be a number of at least 0' });
  if (def.propensity > 1) issues.push({ path: `${path}.propensity`, message: 'must be at most 1' });
  return {
    key: def.key,
    def,
    index,
    channels: def.channels,
    content,
    value: def.value,
    weight: def.weight,
    propensity: def.propensity,
    gates,
    contextWeights,
    cooldownMs: def.cooldownMs,
    learning:
      def.goal === undefined
        ? undefined
        : compileLearning({
            goal: def.goal,
            predictors: def.predictors ?? [],
            propensity: def.propensity,
            learning: input.learning,
            bins: input.bins,
          }),
  };
}

function compileCheck(condition: unknown, path: string, issues: ErrorDetail[]): CompiledCheck {
  const problems = validateCondition(condition);
  if (problems.length > 0) {
    for (const problem of problems)
      issues.push({ path: conditionPath(path, problem.path), message: problem.message });
    return { matcher: () => false, paths: [] };
  }
  const { matcher, reads } = compileConditionWithReads(condition);
  return { matcher, paths: reads.paths };
}

function conditionPath(at: string, inner: string): string {
  if (inner === '') return at;
  return inner.startsWith('[') ? `${at}${inner}` : `${at}.${inner}`;
}

function compileQuietHours(policy: ContactPolicyDef, issues: ErrorDetail[]): CompiledQuietHours | undefined {
  const quiet = policy.quietHours;
  if (quiet === undefined) return undefined;
  const path = 'contactPolicy.quietHours';
  const startMinute = parseClock(quiet.start);
  const endMinute = parseClock(quiet.end);
  if (startMinute === undefined) issues.push({ path: `${path}.start`, message: 'must be a time like 21:00' });
  if (endMinute === undefined) issues.push({ path: `${path}.end`, message: 'must be a time like 08:00' });
  if (!isTimeZone(quiet.defaultTimezone))
    issues.push({ path: `${path}.defaultTimezone`, message: 'must be an IANA time zone like Asia/Kolkata' });
  if (startMinute === undefined || endMinute === undefined) return undefined;
  return {
    start: quiet.start,
    end: quiet.end,
    startMinute,
    endMinute,
    defaultTimezone: quiet.defaultTimezone,
  };
}

function compileHoldout(holdout: HoldoutDef | undefined, issues: ErrorDetail[]): HoldoutDef | undefined {
  if (holdout !== undefined && !(holdout.percent >= 0 && holdout.percent <= 100))
    issues.push({ path: 'holdout.percent', message: 'must be a number from 0 to 100' });
  return holdout;
}
