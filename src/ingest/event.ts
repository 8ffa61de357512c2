/** The six Segment spec calls. */
export const EVENT_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;

/** One of the six Segment spec calls. */
export type EventType = (typeof EVENT_TYPES)[number];

/** A JSON object as received (properties, traits, context, integrations). */
export type JsonObject = Record<string, unknown>;

/**
 * An event after ingestion: validated, with a `messageId`, and with times normalized to
 * epoch milliseconds. This is what the event log stores and what every later stage reads.
 */
export interface TailorEvent {
  type: EventType;
  messageId: string;
  /**
   * Event time (epoch ms): explicit `timestamp`, else `receivedAt − (sentAt − originalTimestamp)`;
   * `receivedAt` when that lies more than a minute (`FUTURE_TOLERANCE_MS`) past `receivedAt`.
   */
  timestamp: number;
  /** When Tailor received it (epoch ms). */
  receivedAt: number;
  /** As sent by the client, epoch ms, when present. */
  sentAt?: number;
  /** As sent; or the client's clamped far-future `timestamp` when it sent no originalTimestamp. */
  originalTimestamp?: number;
  userId?: string;
  anonymousId?: string;
  /** `alias`: the id being merged into `userId`. */
  previousId?: string;
  /** `group`: the account id. */
  groupId?: string;
  /** `track`: the event name. */
  event?: string;
  /** `page` / `screen`: the page or screen name. */
  name?: string;
  /** `page`: the page category. */
  category?: string;
  properties: JsonObject;
  traits: JsonObject;
  context: JsonObject;
  integrations: JsonObject;
  /**
   * Set only on records Tailor writes to the log itself, never on received events: `timer`
   * marks a timer firing, which brings every profile due by its `timestamp` up to that time;
   * `journeys` puts journey definitions and pauses in force from its place in the log.
   */
  internal?: 'timer' | 'journeys';
  /**
   * `tailor` on the decisions Tailor records itself (`recordedByTailor`); never on a received
   * event, whose fields are read one by one, so no body can set it. The outbox and the in-app
   * inbox act only on decisions with this mark, so a `Decision Made` that reached the log any
   * other way (a log written before the edge refused the name) drives nothing.
   */
  origin?: 'tailor';
}

/** An event as held in the log: its position (`seq`, global and increasing) and workspace. */
export interface LoggedEvent extends TailorEvent {
  seq: number;
  workspaceId: string;
}

/**
 * An event with its log position, built with every field in one fixed order (absent ones as
 * undefined, which JSON leaves out), so all logged events share one object shape and the
 * pipeline's property reads stay monomorphic.
 */
export function toLoggedEvent(event: TailorEvent, seq: number, workspaceId: string): LoggedEvent {
  return {
    type: event.type,
    messageId: event.messageId,
    timestamp: event.timestamp,
    receivedAt: event.receivedAt,
    sentAt: event.sentAt,
    originalTimestamp: event.originalTimestamp,
    userId: event.userId,
    anonymousId: event.anonymousId,
    previousId: event.previousId,
    groupId: event.groupId,
    event: event.event,
    name: event.name,
    category: event.category,
    properties: event.properties,
    traits: event.traits,
    context: event.context,
    integrations: event.integrations,
    internal: event.internal,
    origin: event.origin,
    seq,
    workspaceId,
  };
}

/** Whether Tailor recorded this event itself (a decision it made), rather than receiving it. */
export function recordedByTailor(event: TailorEvent): boolean {
  return event.origin === 'tailor';
}
