import type { ChannelsDef } from '../activate/channels-def.ts';
import type { DetectorDef, SegmentDef } from '../audience/audience-def.ts';
import type { DecisionsDef } from '../decide/decision-def.ts';
import type { IdentityRules } from '../identity/identity-rules.ts';
import type { LifecycleDef } from '../intent/lifecycle.ts';
import type { ScoreModelDef } from '../intent/score-model.ts';
import type { JourneyDef } from '../journey/journey-def.ts';
import type { ComputedTraitDef } from '../profile/computed/computed-trait.ts';

/**
 * A workspace's definitions, as loaded and validated from the workspace file (`tailor.yaml`)
 * or the admin API. Later stages add their sections beside these.
 */
export interface WorkspaceDefinition {
  /** Stable workspace id (`[a-z0-9_-]+`). */
  id: string;
  name: string;
  identity: IdentityRules;
  computedTraits: ComputedTraitDef[];
  /** Points models with decay (`intent`, `engagement`), kept on every event; absent in definitions stored before scores existed. */
  scores?: ScoreModelDef[];
  /** Ordered lifecycle stages, the first that holds being the person's; absent when the file has none. */
  lifecycle?: LifecycleDef;
  /** Audiences kept current on every event and timer; absent in definitions stored before segments existed. */
  segments?: SegmentDef[];
  /** Risk detectors (patterns over time); absent in definitions stored before detectors existed. */
  detectors?: DetectorDef[];
  /** Placements, actions, contact policy, holdout and triggers; absent when the file has none. */
  decisions?: DecisionsDef;
  /** Multi-step flows people go through (decide, wait, branch, send, …); absent when the file has none. */
  journeys?: JourneyDef[];
  /** Providers to send through (email, WhatsApp, SMS, webhook); absent means Tailor decides but does not send. */
  channels?: ChannelsDef;
  /** How many recent events a profile keeps. */
  recentEventsLimit: number;
  /**
   * The secret (usually a `${TAILOR_SECRET_…}` reference, resolved when used) under which the
   * customer's server signs user ids, so a write-key decide may personalize for a `userId`.
   */
  identityVerification?: { secret: string };
}
