import { randomUUID } from 'node:crypto';
import type { ErrorCode } from '../errors.ts';
import type { EventType, JsonObject, TailorEvent } from './event.ts';
import { EVENT_MAX_BYTES, FUTURE_TOLERANCE_MS, MESSAGE_ID_MAX_LENGTH } from './ingest-limits.ts';
import { mergeObjects } from './merge-objects.ts';
import { describeType, readId, readObject, readText, readTime, WRONG_TYPE } from './read-fields.ts';
import { reservedKey } from './reserved-events.ts';

/** What a batch's envelope gives each of its items, unless the item says otherwise. */
export interface BatchEnvelope {
  context?: JsonObject;
  integrations?: JsonObject;
  /** Epoch ms. */
  sentAt?: number;
}

/** Why one event was refused; `path` is relative to the event (`properties`, `userId`, '' for the whole). */
export interface EventProblem {
  code: ErrorCode;
  message: string;
  path: string;
}

/** One item in, one event or one problem out. */
export type EventOutcome = { kind: 'event'; event: TailorEvent } | ({ kind: 'rejected' } & EventProblem);

/** The input of `normalizeEvent`. */
export interface EventInput {
  item: JsonObject;
  type: EventType;
  receivedAt: number;
  envelope?: BatchEnvelope;
  /** False when the request is known to be under the event size limit, so measuring is skipped. */
  measure: boolean;
  /** Track event names a client may not send (`reservedEventKeys`): Tailor records them itself. */
  reserved?: ReadonlySet<string>;
}

const OBJECT_FIELDS = ['properties', 'traits', 'context', 'integrations'] as const;

/**
 * Validates one Segment call (a single call's body or one batch item, its `type` already known)
 * and turns it into a TailorEvent: ids read, times normalized to epoch ms, a messageId assigned
 * when the client sent none, the envelope merged in. Returns the first problem found instead
 * of throwing, so one bad item of a batch does not sink the others.
 */
export function normalizeEvent(input: EventInput): EventOutcome {
  const { item, type, receivedAt, envelope } = input;

  const objects: Partial<Record<(typeof OBJECT_FIELDS)[number], JsonObject>> = {};
  for (const field of OBJECT_FIELDS) {
    const value = readObject(item[field]);
    if (value === WRONG_TYPE) {
      return rejected(
        'INVALID_EVENT',
        field,
        `\`${field}\` must be an object, not ${describeType(item[field])}`,
      );
    }
    if (value !== undefined) objects[field] = value;
  }

  const userId = readId(item.userId);
  if (userId === WRONG_TYPE) return wrongId('userId', item.userId);
  const anonymousId = readId(item.anonymousId);
  if (anonymousId === WRONG_TYPE) return wrongId('anonymousId', item.anonymousId);

  const event: TailorEvent = {
    type,
    messageId: readMessageId(item.messageId),
    timestamp: receivedAt,
    receivedAt,
    properties: objects.properties ?? {},
    traits: objects.traits ?? {},
    context: withEnvelope(objects.context, envelope?.context),
    integrations: withEnvelope(objects.integrations, envelope?.integrations),
  };
  if (userId !== undefined) event.userId = userId;
  if (anonymousId !== undefined) event.anonymousId = anonymousId;

  // An alias names its own missing ids (MISSING_PREVIOUS_ID): it needs a userId, not just any id.
  if (userId === undefined && anonymousId === undefined && type !== 'alias') {
    return rejected(
      'MISSING_IDENTITY',
      'userId',
      'Send a `userId` or an `anonymousId` (a non-empty string or a number)',
    );
  }
  const problem =
    readCallFields(item, event) ??
    refuseReserved(event, input.reserved) ??
    readTimes(item, event, envelope?.sentAt);
  if (problem !== undefined) return { kind: 'rejected', ...problem };
  // Tailor marks its own records in `context.tailor`; a received event never carries that mark.
  if (Object.hasOwn(event.context, TAILOR_CONTEXT)) delete event.context[TAILOR_CONTEXT];
  if (input.measure) {
    const bytes = jsonBytes(item);
    if (bytes > EVENT_MAX_BYTES) {
      return rejected(
        'EVENT_TOO_LARGE',
        '',
        `The event is ${bytes} bytes of JSON; an event may be at most 32 KB (${EVENT_MAX_BYTES} bytes): send fewer or smaller properties`,
      );
    }
  }
  return { kind: 'event', event };
}

/** The fields only some calls have, and the checks that go with them. */
function readCallFields(item: JsonObject, event: TailorEvent): EventProblem | undefined {
  switch (event.type) {
    case 'track': {
      const name = readText(item.event);
      if (name === undefined || name === WRONG_TYPE) {
        return problem(
          'MISSING_EVENT_NAME',
          'event',
          'A track call needs an `event` name: a non-empty string',
        );
      }
      event.event = name;
      return undefined;
    }
    case 'page':
    case 'screen': {
      const name = readText(item.name);
      if (name === WRONG_TYPE)
        return problem('INVALID_EVENT', 'name', `\`name\` must be a string, not ${describeType(item.name)}`);
      if (name !== undefined) event.name = name;
      const category = readText(item.category);
      if (category === WRONG_TYPE) {
        return problem(
          'INVALID_EVENT',
          'category',
          `\`category\` must be a string, not ${describeType(item.category)}`,
        );
      }
      if (category !== undefined) event.category = category;
      return undefined;
    }
    case 'alias': {
      const previousId = readId(item.previousId);
      if (previousId === undefined || previousId === WRONG_TYPE) {
        return problem(
          'MISSING_PREVIOUS_ID',
          'previousId',
          'An alias call needs a `previousId`: the id being merged',
        );
      }
      if (event.userId === undefined) {
        return problem(
          'MISSING_PREVIOUS_ID',
          'userId',
          'An alias call needs a `userId`: the id `previousId` is merged into',
        );
      }
      event.previousId = previousId;
      return undefined;
    }
    case 'group': {
      const groupId = readId(item.groupId);
      if (groupId === undefined || groupId === WRONG_TYPE) {
        return problem(
          'MISSING_GROUP_ID',
          'groupId',
          'A group call needs a `groupId`: a non-empty string or a number',
        );
      }
      event.groupId = groupId;
      return undefined;
    }
    case 'identify':
      return undefined;
  }
}

/** The key of `context` under which Tailor marks the records it writes itself. */
const TAILOR_CONTEXT = 'tailor';

/** RESERVED_EVENT for a track event named like one Tailor records itself. */
function refuseReserved(
  event: TailorEvent,
  reserved: ReadonlySet<string> | undefined,
): EventProblem | undefined {
  const name = event.event;
  if (reserved === undefined || name === undefined || !reserved.has(reservedKey(name))) return undefined;
  return problem(
    'RESERVED_EVENT',
    'event',
    `\`${name.slice(0, 60)}\` is an event Tailor records itself (decisions, sends and their feedback, segment, journey and detector changes): ` +
      'name your own event differently; delivery, click and reply feedback comes from the signed provider callbacks and email links',
  );
}

/**
 * Sets `timestamp`, `sentAt` and `originalTimestamp`. An explicit `timestamp` wins; otherwise the
 * client's clock is corrected by how far it was off when it sent the request
 * (`receivedAt − (sentAt − originalTimestamp)`), as Segment does. A time more than
 * `FUTURE_TOLERANCE_MS` past `receivedAt` is clamped to `receivedAt`, the client's value kept as
 * `originalTimestamp` when it sent none, so a forged far-future date cannot outrank later events.
 */
function readTimes(
  item: JsonObject,
  event: TailorEvent,
  envelopeSentAt: number | undefined,
): EventProblem | undefined {
  const timestamp = readTime(item.timestamp);
  if (Number.isNaN(timestamp)) return badTime('timestamp', item.timestamp);
  const original = readTime(item.originalTimestamp);
  if (Number.isNaN(original)) return badTime('originalTimestamp', item.originalTimestamp);
  const ownSentAt = readTime(item.sentAt);
  if (Number.isNaN(ownSentAt)) return badTime('sentAt', item.sentAt);
  const sentAt = ownSentAt ?? envelopeSentAt;

  if (sentAt !== undefined) event.sentAt = sentAt;
  if (original !== undefined) event.originalTimestamp = original;
  if (timestamp !== undefined) event.timestamp = timestamp;
  else if (original !== undefined)
    event.timestamp = sentAt === undefined ? original : event.receivedAt - (sentAt - original);
  if (event.timestamp > event.receivedAt + FUTURE_TOLERANCE_MS) {
    // The spec's originalTimestamp is "the timestamp value manually passed in": keep the client's.
    if (event.originalTimestamp === undefined) event.originalTimestamp = event.timestamp;
    event.timestamp = event.receivedAt;
  }
  return undefined;
}

/** Message ids Tailor gives the records it logs itself; a received event never takes one. */
const RESERVED_MESSAGE_ID = 'tailor:';

function readMessageId(value: unknown): string {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    const usable = trimmed.length > 0 && trimmed.length <= MESSAGE_ID_MAX_LENGTH;
    if (usable && !trimmed.startsWith(RESERVED_MESSAGE_ID)) return trimmed;
  }
  return randomUUID();
}

function withEnvelope(own: JsonObject | undefined, shared: JsonObject | undefined): JsonObject {
  if (shared === undefined) return own ?? {};
  return own === undefined ? mergeObjects({}, shared) : mergeObjects(shared, own);
}

/** UTF-8 size of the item's JSON (a lower bound when it is too small to matter). */
function jsonBytes(item: JsonObject): number {
  const json = JSON.stringify(item);
  // A UTF-16 code unit is 1 to 3 UTF-8 bytes: short JSON cannot be over the limit.
  return json.length * 3 <= EVENT_MAX_BYTES ? json.length : Buffer.byteLength(json);
}

function badTime(field: string, value: unknown): EventProblem {
  const shown = typeof value === 'string' ? `\`${value.slice(0, 40)}\`` : describeType(value);
  return problem(
    'INVALID_TIMESTAMP',
    field,
    `\`${field}\` is ${shown}, not an ISO-8601 date: send it like 2026-03-01T10:00:00.000Z`,
  );
}

function wrongId(field: string, value: unknown): EventOutcome {
  return rejected(
    'INVALID_EVENT',
    field,
    `\`${field}\` must be a string or a number, not ${describeType(value)}`,
  );
}

function problem(code: ErrorCode, path: string, message: string): EventProblem {
  return { code, message, path };
}

function rejected(code: ErrorCode, path: string, message: string): EventOutcome {
  return { kind: 'rejected', code, message, path };
}
