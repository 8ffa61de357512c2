import { compilePath } from '../conditions/path-getter.ts';
import type { ErrorDetail } from '../errors.ts';
import type { CompiledCheck } from './compile-decisions.ts';
import type { LearnedPropensity } from './learn/learn-model.ts';

/**
 * The winner's learned propensity as recorded with the decision: `explored` is true when a
 * Thompson sample, not the posterior mean, made it win (the best mean belonged to another action).
 */
export interface DecisionLearning extends LearnedPropensity {
  explored: boolean;
}

/** One condition evaluated: whether it held, and when it did not, the values it read by path. */
export interface ConditionTrace {
  /** What the condition is: `eligibility`, `applicability`, `suitability`, `when`, `contextWeights[0]`. */
  condition: string;
  holds: boolean;
  /** For a condition that failed: each context path it reads with the value found (null when missing). */
  reads?: Record<string, unknown>;
}

/** A variant of a placement as tried, in order: until one held (`first_match`), or all (`learn`). */
export interface VariantTrace {
  variant: string;
  holds: boolean;
  /** For a failed `when`: the paths it read with their values. Absent for a variant without `when`. */
  reads?: Record<string, unknown>;
  /** The experiment whose arm keeps this variant out (`holds` is then false). */
  experiment?: string;
  /** Under `strategy: learn`, for a variant that holds: its bin, propensity used, posterior mean, evidence. */
  learned?: LearnedPropensity;
}

/** A channel of the chosen candidate as tried, in order: accepted, or why not. */
export interface ChannelTrace {
  channel: string;
  allowed: boolean;
  reason?: string;
}

/** One action as arbitration saw it. */
export interface CandidateTrace {
  action: string;
  /** Every gate held. */
  candidate: boolean;
  conditions: ConditionTrace[];
  /** For a candidate: propensity × context weight × value × weight. */
  priority?: number;
  /** The arithmetic, written out (`0.8 × 1.5 × 50 × 1 = 60`). */
  arithmetic?: string;
  /** The context weights that held, with their multipliers. */
  contextWeights?: { index: number; weight: number }[];
  /** Channels tried, for candidates whose priority was positive, in the order tried. */
  channels?: ChannelTrace[];
  /** For an action that learns: the bin, the propensity used, the posterior mean and the evidence. */
  learned?: LearnedPropensity;
}

/** Why a next-best-action decision came out as it did. */
export interface DecisionTrace {
  candidates: CandidateTrace[];
  /** The action that wins (or would have, for someone held out), and its channel. */
  winner: { action: string; channel: string } | null;
  holdout?: { percent: number; bucket: number; heldOut: boolean };
  timing?: { timezone: string; quietHours: { start: string; end: string } | null; sendAt: string | null };
  /** The arm of each experiment the person is in; actions an arm keeps out fail `experiment:<key>`. */
  experiments?: Record<string, string>;
  /** When the winner learns: its learned propensity, and whether sampling put it ahead of the best mean. */
  learning?: DecisionLearning;
  /** Template fields that failed to render (each rendered as `''`). */
  renderErrors: ErrorDetail[];
}

/** Evaluates a compiled check, returning its trace entry (with the values read when it fails). */
export function traceCheck(
  name: string,
  check: CompiledCheck,
  context: Record<string, unknown>,
  now: number,
): ConditionTrace {
  const holds = check.matcher(context, now);
  return holds ? { condition: name, holds } : { condition: name, holds, reads: readValues(check, context) };
}

/** The value at each path a check reads, as conditions see it (missing → null). */
export function readValues(check: CompiledCheck, context: Record<string, unknown>): Record<string, unknown> {
  const reads: Record<string, unknown> = {};
  for (const path of check.paths) reads[path] = compilePath(path)(context) ?? null;
  return reads;
}
