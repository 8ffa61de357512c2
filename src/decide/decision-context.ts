import type { CompiledScores } from '../intent/compile-scores.ts';
import { scoreLabel } from '../intent/score-value.ts';

/** The profile context of someone Tailor does not know: every section empty (see `profileContext`). */
export function emptyProfileContext(): Record<string, unknown> {
  return {
    traits: {},
    computed: {},
    identifiers: {},
    consent: {},
    scores: {},
    first_seen: null,
    last_seen: null,
    segments: {},
    risks: {},
    lifecycle_stage: null,
  };
}

/**
 * What decision conditions read: the profile context (`traits.*`, `scores.*`, `segments`…) with
 * the request's Segment context under `context` (`context.location.city`) and, for a decision
 * an event triggered, the event under `event`.
 */
export function conditionContext(
  profile: Record<string, unknown>,
  request: Record<string, unknown> | undefined,
  event: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const context: Record<string, unknown> = { ...profile, context: request ?? {} };
  if (event !== undefined) context['event'] = event;
  return context;
}

/** A score as templates read it: `{{ profile.scores.intent.value }}`, `{{ profile.scores.intent.label }}`. */
export interface ScopeScore {
  value: number;
  label: string | null;
}

/**
 * The variables content templates see: `profile` (`id`, `traits`, `computed`, `scores` as
 * `{ value, label }`, `segments`, `risks`, `lifecycle_stage`, `identifiers`), the request
 * `context` and, when there is one, the triggering `event`. Labels need the workspace's
 * compiled `scores`; without them every label is null.
 */
export function templateScope(input: {
  id: string | null;
  profile: Record<string, unknown>;
  request?: Record<string, unknown> | undefined;
  event?: Record<string, unknown> | undefined;
  scores?: CompiledScores | undefined;
}): Record<string, unknown> {
  const { profile } = input;
  const scope: Record<string, unknown> = {
    profile: {
      id: input.id,
      traits: profile['traits'] ?? {},
      computed: profile['computed'] ?? {},
      scores: scopeScores(profile['scores'], input.scores),
      segments: profile['segments'] ?? {},
      risks: profile['risks'] ?? {},
      lifecycle_stage: profile['lifecycle_stage'] ?? null,
      identifiers: profile['identifiers'] ?? {},
      inbox: profile['inbox'] ?? null,
    },
    context: input.request ?? {},
  };
  if (input.event !== undefined) scope['event'] = input.event;
  return scope;
}

/** The label of score `key` as it stands in a profile context; null without one or below every threshold. */
export function contextScoreLabel(
  profile: Record<string, unknown>,
  key: string,
  scores: CompiledScores | undefined,
): string | null {
  const value = numberAt(profile['scores'], key);
  const score = scores?.scores.find((candidate) => candidate.key === key);
  return value === undefined || score === undefined ? null : scoreLabel(value, score);
}

function scopeScores(values: unknown, scores: CompiledScores | undefined): Record<string, ScopeScore> {
  const result: Record<string, ScopeScore> = {};
  if (typeof values !== 'object' || values === null) return result;
  for (const [key, value] of Object.entries(values)) {
    if (typeof value !== 'number') continue;
    const score = scores?.scores.find((candidate) => candidate.key === key);
    result[key] = { value, label: score === undefined ? null : scoreLabel(value, score) };
  }
  return result;
}

function numberAt(values: unknown, key: string): number | undefined {
  if (typeof values !== 'object' || values === null) return undefined;
  const value: unknown = Reflect.get(values, key);
  return typeof value === 'number' ? value : undefined;
}
