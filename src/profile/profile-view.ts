import type { EventType, JsonObject } from '../ingest/event.ts';
import type { CompiledScores } from '../intent/compile-scores.ts';
import { type CompiledLifecycle, lifecycleStage } from '../intent/lifecycle.ts';
import { scoreLabel, scoreValue } from '../intent/score-value.ts';
import type { CompiledComputedTraits } from './computed/compile-computed-traits.ts';
import { computedValue } from './computed/computed-value.ts';
import type { ComputedValue } from './computed/scalar.ts';
import type { ProfileState, TouchContext } from './profile.ts';
import { profileContext } from './profile-context.ts';

/** A first or last touch as the API shows it. */
export interface TouchView {
  at: string;
  message_id: string;
  campaign?: JsonObject;
  referrer?: JsonObject;
  location?: JsonObject;
  page?: JsonObject;
  timezone?: string;
  locale?: string;
  device?: JsonObject;
  user_agent?: string;
  ip?: string;
}

/** One recent event as the API shows it. */
export interface RecentEventView {
  message_id: string;
  type: EventType;
  name?: string;
  timestamp: string;
  properties?: JsonObject;
}

/** A score as the API shows it: the value rounded to two decimals, and the label that value earns (null below every threshold). */
export interface ScoreView {
  value: number;
  label: string | null;
}

/** A profile as the API returns it: snake_case keys, ISO-8601 times, computed traits valued at the time of the request. */
export interface ProfileView {
  id: string;
  identifiers: Record<string, string[]>;
  traits: Record<string, unknown>;
  /** When each trait was last set (event time). */
  traits_updated_at: Record<string, string>;
  /** Every computed trait of the workspace definition, valued at the time of the request. */
  computed: Record<string, ComputedValue>;
  /** Every score of the workspace definition, decayed to the time of the request, with its label. */
  scores: Record<string, ScoreView>;
  /** The first lifecycle stage whose condition holds at the time of the request; null when none does or none are defined. */
  lifecycle_stage: string | null;
  /** The segments the profile is in, with when it entered each. */
  segments: Record<string, { entered_at: string }>;
  /** Risks detectors have set, with when each was set and when the pattern began. */
  risks: Record<string, { at: string; since: string }>;
  consent: Record<string, { granted: boolean; at: string; source: string }>;
  first_seen: string;
  last_seen: string;
  first_touch: TouchView | null;
  last_touch: TouchView | null;
  recent_events: RecentEventView[];
  merged_ids: string[];
  event_count: number;
}

/** What `toProfileView` reads: the profile, the compiled definitions it is shown through, and the time. */
export interface ProfileViewInput {
  profile: ProfileState;
  compiled: CompiledComputedTraits;
  scores?: CompiledScores;
  lifecycle?: CompiledLifecycle;
  now: number;
}

/**
 * Turns a stored profile into its API view at time `now`: windowed computed traits are valued
 * against `now`, so they expire by the clock even when no event arrives; scores (when `scores`
 * is given) decay to `now` the same way, and the lifecycle stage (when `lifecycle` is given) is
 * evaluated on the profile context at `now`, so it follows them.
 */
export function toProfileView(input: ProfileViewInput): ProfileView {
  const { profile, compiled, now } = input;
  const traits: Record<string, unknown> = {};
  const traitsUpdatedAt: Record<string, string> = {};
  for (const [key, trait] of Object.entries(profile.traits)) {
    traits[key] = trait.value;
    traitsUpdatedAt[key] = iso(trait.at);
  }
  const computed: Record<string, ComputedValue> = {};
  for (const trait of compiled.traits)
    computed[trait.key] = computedValue(profile.computed[trait.key], trait, now);
  const scores: Record<string, ScoreView> = {};
  for (const score of input.scores?.scores ?? []) {
    const value = roundScore(scoreValue(profile.scores?.[score.key], score, now));
    scores[score.key] = { value, label: scoreLabel(value, score) };
  }
  const segments: ProfileView['segments'] = {};
  for (const [key, at] of Object.entries(profile.audience?.segments ?? {}))
    segments[key] = { entered_at: iso(at) };
  const risks: ProfileView['risks'] = {};
  for (const [key, risk] of Object.entries(profile.audience?.risks ?? {}))
    risks[key] = { at: iso(risk.at), since: iso(risk.since) };
  const consent: ProfileView['consent'] = {};
  for (const [key, state] of Object.entries(profile.consent)) {
    consent[key] = { granted: state.granted, at: iso(state.at), source: state.source };
  }
  return {
    id: profile.id,
    identifiers: profile.identifiers,
    traits,
    traits_updated_at: traitsUpdatedAt,
    computed,
    scores,
    lifecycle_stage: stageOf(input),
    segments,
    risks,
    consent,
    first_seen: iso(profile.firstSeen),
    last_seen: iso(profile.lastSeen),
    first_touch: touchView(profile.firstTouch),
    last_touch: touchView(profile.lastTouch),
    recent_events: profile.recent.map((event) => ({
      message_id: event.messageId,
      type: event.type,
      ...(event.name === undefined ? {} : { name: event.name }),
      timestamp: iso(event.timestamp),
      ...(event.properties === undefined ? {} : { properties: event.properties }),
    })),
    merged_ids: profile.mergedIds,
    event_count: profile.eventCount,
  };
}

/** The lifecycle stage at `now`; the profile context is built only when stages are defined. */
function stageOf(input: ProfileViewInput): string | null {
  const { lifecycle, profile, compiled, scores, now } = input;
  if (lifecycle === undefined || lifecycle.stages.length === 0) return null;
  const context = profileContext({ profile, compiled, now, scores });
  return lifecycleStage({ compiled: lifecycle, context, now });
}

function touchView(touch: TouchContext | undefined): TouchView | null {
  if (touch === undefined) return null;
  const { at, messageId, userAgent, ...rest } = touch;
  return {
    at: iso(at),
    message_id: messageId,
    ...rest,
    ...(userAgent === undefined ? {} : { user_agent: userAgent }),
  };
}

/** Two decimals; the label is read from the rounded value, so the two always agree. */
function roundScore(value: number): number {
  const rounded = Math.round(value * 100) / 100;
  return rounded === 0 ? 0 : rounded;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
