import type { LoggedEvent } from '../../src/ingest/event.ts';
import { type CompiledScores, compileScores } from '../../src/intent/compile-scores.ts';
import type { ScoreModelDef, ScoreRuleDef } from '../../src/intent/score-model.ts';
import { applyEvent } from '../../src/profile/apply-event.ts';
import {
  type CompiledComputedTraits,
  compileComputedTraits,
} from '../../src/profile/computed/compile-computed-traits.ts';
import { newProfile } from '../../src/profile/new-profile.ts';
import type { ProfileState } from '../../src/profile/profile.ts';
import { updateScores } from '../../src/profile/update-scores.ts';
import { T0 } from '../profile/profile-fixtures.ts';

/** A score rule with the loader's default event types. */
export function rule(fields: Partial<ScoreRuleDef> & Pick<ScoreRuleDef, 'points'>): ScoreRuleDef {
  return { eventTypes: ['track'], ...fields };
}

/** The `intent` model of the examples: 7-day half-life, capped at 100, high/medium/low. */
export const INTENT: ScoreModelDef = {
  key: 'intent',
  halfLifeMs: 7 * 86_400_000,
  max: 100,
  rules: [
    rule({ event: 'Pricing Viewed', points: 15 }),
    rule({ eventTypes: ['page'], where: { 'properties.path': { $regex: '^/pricing' } }, points: 10 }),
    rule({ event: 'Message Replied', points: 20 }),
    rule({ event: 'Unsubscribed', points: -30 }),
  ],
  labels: [
    { label: 'high', min: 60 },
    { label: 'medium', min: 30 },
    { label: 'low', min: 0 },
  ],
};

/** Everything the pipeline compiles for a profile: computed traits and scores. */
export interface Compiled {
  computed: CompiledComputedTraits;
  scores: CompiledScores;
}

/** Compiles score definitions (and optionally computed traits) the way a workspace does. */
export function compiledOf(scores: ScoreModelDef[], computed = compileComputedTraits([])): Compiled {
  return { computed, scores: compileScores(scores) };
}

/** A fresh profile with every event applied in the given order, as `applyToView` does: event, then scores. */
export function scoredProfile(events: LoggedEvent[], compiled: Compiled, id = 'p1'): ProfileState {
  const profile = newProfile({ id, workspaceId: 'ws', at: events[0]?.timestamp ?? T0 });
  for (const e of events) {
    applyEvent({ profile, event: e, identifiers: [], compiled: compiled.computed, recentLimit: 20 });
    updateScores({ profile, event: e, compiled: compiled.scores, computed: compiled.computed });
  }
  return profile;
}
