import { type CompiledCondition, compileCondition, conditionReads } from '../conditions/compile-condition.ts';
import { buildEventIndex, type EventIndex, type IndexEntry } from '../ingest/event-index.ts';
import type { ScoreLabel, ScoreModelDef, ScoreRuleDef } from './score-model.ts';

/** Top-level condition paths that an event alone answers; any other path reads the profile. */
const EVENT_ROOTS: ReadonlySet<string> = new Set(['event', 'properties', 'context']);

/** One score ready for reading: half-life, bounds (±Infinity when open) and thresholds highest first. */
export interface CompiledScore {
  readonly key: string;
  readonly def: ScoreModelDef;
  readonly halfLifeMs: number | undefined;
  readonly min: number;
  readonly max: number;
  readonly labels: readonly ScoreLabel[];
}

/** One rule ready for the hot path: its condition compiled, and whether that condition reads the profile. */
export interface CompiledScoreRule {
  readonly score: CompiledScore;
  readonly points: number;
  /** The `where` condition; undefined when every selected event earns the points. */
  readonly where: CompiledCondition | undefined;
  /** The condition reads more than `event`, `properties` and `context`, so it needs the profile context. */
  readonly readsProfile: boolean;
}

/**
 * A workspace's scores, compiled once per definition version, with their rules indexed by event
 * type and name like computed traits: a rule on `Order Completed` is never looked at for
 * `Page Viewed`.
 */
export interface CompiledScores extends EventIndex<CompiledScoreRule> {
  /** Every score, in definition order. */
  readonly scores: readonly CompiledScore[];
}

/**
 * Compiles score definitions; called when a workspace definition is loaded, never per event.
 * Throws TailorError INVALID_CONDITION on a bad `where` (the workspace loader reports those first).
 */
export function compileScores(defs: readonly ScoreModelDef[]): CompiledScores {
  const scores: CompiledScore[] = [];
  const rules: IndexEntry<CompiledScoreRule>[] = [];
  for (const def of defs) {
    const score: CompiledScore = {
      key: def.key,
      def,
      halfLifeMs: def.halfLifeMs,
      min: def.min ?? Number.NEGATIVE_INFINITY,
      max: def.max ?? Number.POSITIVE_INFINITY,
      labels: [...def.labels].sort((a, b) => b.min - a.min),
    };
    scores.push(score);
    for (const ruleDef of def.rules) {
      rules.push({
        item: compileRule(score, ruleDef),
        types: ruleDef.eventTypes,
        names: ruleDef.event === undefined ? undefined : [ruleDef.event],
      });
    }
  }
  return { scores, ...buildEventIndex(rules) };
}

function compileRule(score: CompiledScore, def: ScoreRuleDef): CompiledScoreRule {
  if (def.where === undefined) return { score, points: def.points, where: undefined, readsProfile: false };
  const { paths } = conditionReads(def.where);
  return {
    score,
    points: def.points,
    where: compileCondition(def.where),
    readsProfile: paths.some((path) => !EVENT_ROOTS.has(path.split('.', 1)[0] ?? path)),
  };
}
