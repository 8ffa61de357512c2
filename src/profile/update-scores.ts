import type { TailorEvent } from '../ingest/event.ts';
import type { CompiledScoreRule, CompiledScores } from '../intent/compile-scores.ts';
import type { ScoreState } from '../intent/score-model.ts';
import { decayPoints } from '../intent/score-value.ts';
import type { CompiledComputedTraits } from './computed/compile-computed-traits.ts';
import { eventName } from './event-name.ts';
import type { ProfileState } from './profile.ts';
import { profileContext } from './profile-context.ts';

/** What `updateScores` works on. */
interface ScoresUpdate {
  /** The profile, with this event already applied (traits, computed traits). */
  profile: ProfileState;
  event: TailorEvent;
  compiled: CompiledScores;
  /** The workspace's computed traits, for conditions on `computed.*`. */
  computed: CompiledComputedTraits;
}

/**
 * Adds the points one event earns to a profile's scores (mutated in place). Only the rules
 * indexed under the event's type and name are visited; every `where` of the event is tested
 * against the profile as it stood before any of this event's points, so rule order does not
 * matter. The profile context is built only when a rule's condition reads it, at event time.
 * Without profile conditions, the outcome does not depend on the order events arrive in.
 */
export function updateScores(input: ScoresUpdate): void {
  const { event, compiled } = input;
  const unnamed = compiled.unnamed.get(event.type);
  const name = eventName(event);
  const named = name === undefined ? undefined : compiled.named.get(event.type)?.get(name);
  if (unnamed === undefined && named === undefined) return;
  const earned: CompiledScoreRule[] = [];
  const context = lazyContext(input);
  for (const rule of unnamed ?? []) if (matches(rule, context)) earned.push(rule);
  for (const rule of named ?? []) if (matches(rule, context)) earned.push(rule);
  if (earned.length === 0) return;
  input.profile.scores ??= {};
  for (const rule of earned) addPoints(input.profile.scores, rule, event.timestamp);
}

/**
 * Folds `points` earned at `at` into a score state, kept at the latest event time: a newer event
 * decays the value to its time first, an older one adds its points already decayed to `state.at`.
 */
export function addScorePoints(input: {
  scores: Record<string, ScoreState>;
  key: string;
  points: number;
  at: number;
  halfLifeMs: number | undefined;
}): void {
  const { scores, key, points, at, halfLifeMs } = input;
  const state = scores[key];
  if (state === undefined) scores[key] = { v: points, at };
  else if (at >= state.at) {
    state.v = decayPoints({ points: state.v, from: state.at, to: at, halfLifeMs }) + points;
    state.at = at;
  } else {
    state.v += decayPoints({ points, from: at, to: state.at, halfLifeMs });
  }
}

function addPoints(scores: Record<string, ScoreState>, rule: CompiledScoreRule, at: number): void {
  addScorePoints({ scores, key: rule.score.key, points: rule.points, at, halfLifeMs: rule.score.halfLifeMs });
}

/** What a rule's condition is evaluated against, built on first need and at most once per event. */
interface LazyContext {
  read(withProfile: boolean): Record<string, unknown>;
  readonly now: number;
}

function matches(rule: CompiledScoreRule, context: LazyContext): boolean {
  return rule.where === undefined || rule.where(context.read(rule.readsProfile), context.now);
}

function lazyContext({ profile, event, compiled, computed }: ScoresUpdate): LazyContext {
  let eventOnly: Record<string, unknown> | undefined;
  let full: Record<string, unknown> | undefined;
  return {
    now: event.timestamp,
    read(withProfile) {
      if (withProfile) {
        full ??= {
          ...profileContext({ profile, compiled: computed, now: event.timestamp, scores: compiled }),
          event,
          properties: event.properties,
          context: event.context,
        };
        return full;
      }
      eventOnly ??= full ?? { event, properties: event.properties, context: event.context };
      return eventOnly;
    },
  };
}
