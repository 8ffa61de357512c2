/**
 * The names of the events Tailor records or derives itself. Every producer takes its name from
 * here, and the tracking edge refuses these names from a write key (RESERVED_EVENT): a public
 * key must never be able to fake a decision, a send or its feedback, a segment or journey change.
 */

/** A decision served or triggered; one with an `action` outcome on a provider channel is a send. */
export const DECISION_MADE = 'Decision Made';
/**
 * A placement's variant shown to a known person, recorded when the placement learns
 * (`strategy: learn`) or is in an experiment they are in: what goals are credited to. Other
 * placements shown are only exposures (logs written before the exposure log hold those as
 * `Content Shown` too, without `learning` or `experiments`).
 */
export const CONTENT_SHOWN = 'Content Shown';

/** A goal event credited to the latest decision that chose (or held out) an action with that goal. */
export const GOAL_REACHED = 'Goal Reached';

/** Feedback on a send, from the outbox or a verified provider callback or signed email link. */
export const MESSAGE_SENT = 'Message Sent';
export const MESSAGE_DELIVERED = 'Message Delivered';
export const MESSAGE_READ = 'Message Read';
export const MESSAGE_OPENED = 'Message Opened';
export const MESSAGE_CLICKED = 'Message Clicked';
export const MESSAGE_REPLIED = 'Message Replied';
export const MESSAGE_FAILED = 'Message Failed';

/** Changes the audience derives. */
export const SEGMENT_ENTERED = 'Segment Entered';
export const SEGMENT_EXITED = 'Segment Exited';
export const STAGE_CHANGED = 'Lifecycle Stage Changed';

/** Changes the journeys derive. */
export const JOURNEY_ENTERED = 'Journey Entered';
export const JOURNEY_STEP = 'Journey Step';
export const JOURNEY_ENDED = 'Journey Ended';

/** Every fixed reserved name; a workspace adds its detectors' event names (`Checkout Abandoned`). */
export const RESERVED_EVENTS: readonly string[] = [
  DECISION_MADE,
  CONTENT_SHOWN,
  GOAL_REACHED,
  MESSAGE_SENT,
  MESSAGE_DELIVERED,
  MESSAGE_READ,
  MESSAGE_OPENED,
  MESSAGE_CLICKED,
  MESSAGE_REPLIED,
  MESSAGE_FAILED,
  SEGMENT_ENTERED,
  SEGMENT_EXITED,
  STAGE_CHANGED,
  JOURNEY_ENTERED,
  JOURNEY_STEP,
  JOURNEY_ENDED,
];

/**
 * The form names are compared in: lower case, without whitespace, `_`, `-` or `.`, so
 * `decision_made`, `DecisionMade` and ` Decision  Made ` are all taken for `Decision Made` —
 * downstream tools and people read them as the same event.
 */
export function reservedKey(name: string): string {
  return name.toLowerCase().replace(/[\s_.-]+/g, '');
}

/** The reserved names of one workspace, in `reservedKey` form: the fixed ones and its detectors' events. */
export function reservedEventKeys(detectorEvents: Iterable<string>): ReadonlySet<string> {
  const keys = new Set(RESERVED_EVENTS.map(reservedKey));
  for (const name of detectorEvents) keys.add(reservedKey(name));
  return keys;
}
