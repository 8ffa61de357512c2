import type { EventType, JsonObject } from '../ingest/event.ts';
import type { ScoreState } from '../intent/score-model.ts';
import type { AudienceState } from './audience-state.ts';
import type { ComputedTraitState } from './computed/computed-trait.ts';
import type { ContactRecord } from './contact-history.ts';
import type { InboxMessage } from './inbox.ts';
import type { JourneyState } from './journey-state.ts';

/** A trait value with the event time that set it, so an older event never overwrites a newer one. */
export interface TraitValue {
  value: unknown;
  /** Event time (epoch ms) of the event that set it. */
  at: number;
}

/** Where a person came from at one moment: campaign, referrer, location, device… */
export interface TouchContext {
  /** Event time (epoch ms). */
  at: number;
  messageId: string;
  campaign?: JsonObject;
  referrer?: JsonObject;
  location?: JsonObject;
  page?: JsonObject;
  timezone?: string;
  locale?: string;
  device?: JsonObject;
  userAgent?: string;
  ip?: string;
}

/** Consent for one channel or channel purpose, with when and how it last changed. */
export interface ConsentState {
  granted: boolean;
  /** Event time (epoch ms) of the change. */
  at: number;
  /** What changed it: `context.consent`, or the event name (`Unsubscribed`). */
  source: string;
}

/** A short summary of one recent event, newest first in `ProfileState.recent`. */
export interface RecentEvent {
  messageId: string;
  type: EventType;
  /** Track event name, or page/screen name. */
  name?: string;
  timestamp: number;
  properties?: JsonObject;
}

/**
 * The unified profile as the pipeline keeps it: plain JSON, applied to by pure functions,
 * stored by the store, and turned into the API view by `toProfileView`.
 */
export interface ProfileState {
  /** Stable id: derived from the event that created the profile, so replay yields the same id. */
  id: string;
  workspaceId: string;
  /** Normalized identifier values by type, in the order they were first seen. */
  identifiers: Record<string, string[]>;
  traits: Record<string, TraitValue>;
  /** Incremental state of each computed trait, by key. */
  computed: Record<string, ComputedTraitState>;
  /**
   * Points of each score with their reference time, by key (owned by src/intent). Absent on
   * profiles stored before scores existed.
   */
  scores?: Record<string, ScoreState>;
  /** Consent by channel (`email`) or channel purpose (`email.marketing`). */
  consent: Record<string, ConsentState>;
  firstSeen: number;
  lastSeen: number;
  firstTouch?: TouchContext;
  lastTouch?: TouchContext;
  /** Most recent events, newest first by event time, capped. */
  recent: RecentEvent[];
  /** Ids of profiles merged into this one. */
  mergedIds: string[];
  eventCount: number;
  /** Segments, risks, lifecycle stage and timers (owned by src/audience); absent until first evaluated. */
  audience?: AudienceState;
  /** Messages sent to the person and whether they answered, newest first (owned by src/decide); absent before the first. */
  contacts?: ContactRecord[];
  /**
   * Channels whose last send failed for good (`Message Failed` with `unreachable`), with the
   * time; a later delivery, read or reply on the channel clears it. Absent before the first.
   */
  unreachable?: Record<string, number>;
  /** The latest in-app message decided for the person (owned by src/decide), shown through placements. */
  inbox?: InboxMessage;
  /** Journey runs in progress and each journey's history (owned by src/journey); absent before the first. */
  journeys?: JourneyState;
}
