/**
 * A segment as declared in the workspace file or through the admin API: an audience whose
 * membership Tailor keeps current on every event and at the moment a time window runs out.
 */
export interface SegmentDef {
  /** Stable key (`high_intent_whatsapp`), lowercase snake case, unique in the workspace. */
  key: string;
  /** A human name for lists and dashboards. */
  name?: string;
  description?: string;
  /**
   * A condition (docs/conditions.md) on the profile: `traits`, `computed`, `scores`, `risks`,
   * `lifecycle_stage`, `segments` (other segments, without cycles), `identifiers`, `consent`,
   * `first_seen`, `last_seen`, and `$performed` over the person's events.
   */
  when: unknown;
}

/**
 * A risk detector: a pattern over time. When an `after` event happens and no `unless` event
 * follows within `withinMs`, the risk `key` is set on the profile and an `emit` event is
 * recorded on its timeline. An `unless` event clears the risk (and a pending wait). When `after`
 * and `unless` are both `*` (any event), it detects inactivity: no event for `withinMs`.
 */
export interface DetectorDef {
  /** The risk key under `risks` (`checkout_abandonment`), lowercase snake case, unique. */
  key: string;
  /** The track event name that starts the wait (`Checkout Started`), or `*` for any event. */
  after: string;
  /** A condition on the starting event (`event`, `properties`, `context`) and the profile; absent means every one. */
  where?: unknown;
  /** Track event names that complete the pattern and clear the risk (`Order Completed`), or `['*']` for any event. */
  unless: string[];
  /** How long to wait for an `unless` event, in milliseconds. */
  withinMs: number;
  /** The event recorded when the risk is set (`Checkout Abandoned`). */
  emit: string;
}
