import { setImmediate as yieldToIo } from 'node:timers/promises';
import { type ErrorCode, TailorError } from '../errors.ts';
import { EVENT_TYPES, type EventType, type JsonObject, type TailorEvent } from './event.ts';
import { findJsonProblem } from './find-json-problem.ts';
import { BATCH_MAX_EVENTS, EVENT_MAX_BYTES } from './ingest-limits.ts';
import { isJsonObject } from './merge-objects.ts';
import { type BatchEnvelope, type EventOutcome, normalizeEvent } from './normalize-event.ts';
import { describeType, readObject, readTime, WRONG_TYPE } from './read-fields.ts';

/** What a tracking request asks for: one of the six spec calls, or a batch of them. */
export type IngestCall = EventType | 'batch';

/** One event refused: its index in the batch (0 for a single call), the code, and the field at fault. */
export interface RejectedEvent {
  index: number;
  code: ErrorCode;
  message: string;
  /** `batch[3].event` in a batch, `event` in a single call; the item itself when the path is `batch[3]`. */
  path: string;
}

/** The outcome of one tracking request: the events to ingest and those refused. */
export interface NormalizedCall {
  events: TailorEvent[];
  rejected: RejectedEvent[];
  /** `writeKey` from the body (single call) or the batch envelope, for clients that cannot send Basic auth. */
  writeKey?: string;
}

/** The input of `normalizeCall`. */
export interface NormalizeCallInput {
  /** The parsed JSON body. */
  body: unknown;
  /** The call the URL names; a single call's type comes from here, a body `type` is ignored. */
  call: IngestCall;
  /** Server time (epoch ms) the request arrived. */
  receivedAt: number;
  /** Decoded body size; when at most 32 KB, no event can be too large and measuring is skipped. */
  rawBytes?: number;
  /** Track event names refused from clients (`reservedEventKeys` of the workspace). */
  reserved?: ReadonlySet<string>;
}

const EVENT_TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);

/** Batch items normalized between two yields to I/O by `normalizeCallYielding`. */
const NORMALIZE_SLICE = 250;

/**
 * Applies the Segment HTTP Tracking API's rules to a request body. A bad request as a whole
 * (not an object, an empty or oversized batch, a bad envelope) throws a TailorError; a bad
 * event is returned in `rejected` so the rest of a batch still goes in. For a single call the
 * caller turns the one rejection into the error reply. This runs for every event Tailor
 * receives, so it avoids regexes and serializes an event only to measure it.
 */
export function normalizeCall(input: NormalizeCallInput): NormalizedCall {
  const steps = normalizeSteps(input);
  for (let step = steps.next(); ; step = steps.next()) if (step.done === true) return step.value;
}

/**
 * `normalizeCall` for a server: a 500 KB batch holds a few thousand events, and checking them all
 * in one go would keep every other request (`/health` too) waiting, so it lets I/O run between
 * slices of the batch.
 */
export async function normalizeCallYielding(input: NormalizeCallInput): Promise<NormalizedCall> {
  const steps = normalizeSteps(input);
  for (let step = steps.next(); ; step = steps.next()) {
    if (step.done === true) return step.value;
    await yieldToIo();
  }
}

/** The work of `normalizeCall`, pausing (yielding) after each slice of a batch's items. */
function* normalizeSteps(input: NormalizeCallInput): Generator<void, NormalizedCall> {
  const { body, call, receivedAt, reserved } = input;
  if (!isJsonObject(body)) {
    throw new TailorError('INVALID_EVENT', `The body must be a JSON object, not ${describeType(body)}`);
  }
  const measure = input.rawBytes === undefined || input.rawBytes > EVENT_MAX_BYTES;
  const result: NormalizedCall = { events: [], rejected: [] };
  const writeKey = bodyWriteKey(body);
  if (writeKey !== undefined) result.writeKey = writeKey;

  if (call !== 'batch') {
    const problem = findJsonProblem({ value: body });
    if (problem !== undefined) result.rejected.push({ index: 0, ...problem });
    else collect(result, 0, '', normalizeEvent({ item: body, type: call, receivedAt, measure, reserved }));
    return result;
  }

  const items = readBatch(body.batch);
  checkEnvelope(body);
  const envelope = readEnvelope(body);
  for (let index = 0; index < items.length; index += 1) {
    if (index > 0 && index % NORMALIZE_SLICE === 0) yield;
    const item = items[index];
    const prefix = `batch[${index}]`;
    if (!isJsonObject(item)) {
      result.rejected.push({
        index,
        code: 'INVALID_EVENT',
        message: `Each batch item must be an object, not ${describeType(item)}`,
        path: prefix,
      });
      continue;
    }
    const problem = findJsonProblem({ value: item, path: prefix });
    if (problem !== undefined) {
      result.rejected.push({ index, ...problem });
      continue;
    }
    const type = item.type;
    if (!isEventType(type)) {
      result.rejected.push({
        index,
        code: 'INVALID_EVENT',
        message: `\`type\` must be one of ${EVENT_TYPES.join(', ')}; got ${typeof type === 'string' ? `\`${type.slice(0, 40)}\`` : describeType(type)}`,
        path: `${prefix}.type`,
      });
      continue;
    }
    collect(result, index, prefix, normalizeEvent({ item, type, receivedAt, envelope, measure, reserved }));
  }
  return result;
}

/** The `writeKey` a body carries (a single call's or a batch envelope's), for clients that cannot send Basic auth. */
export function bodyWriteKey(body: unknown): string | undefined {
  if (!isJsonObject(body)) return undefined;
  const key = body.writeKey;
  return typeof key === 'string' && key !== '' ? key : undefined;
}

function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && EVENT_TYPE_SET.has(value);
}

function collect(result: NormalizedCall, index: number, prefix: string, outcome: EventOutcome): void {
  if (outcome.kind === 'event') {
    result.events.push(outcome.event);
    return;
  }
  const path = prefix === '' ? outcome.path : outcome.path === '' ? prefix : `${prefix}.${outcome.path}`;
  result.rejected.push({ index, code: outcome.code, message: outcome.message, path });
}

function readBatch(batch: unknown): unknown[] {
  if (!Array.isArray(batch) || batch.length === 0) {
    const got = Array.isArray(batch) ? 'an empty array' : describeType(batch);
    throw new TailorError('EMPTY_BATCH', `A batch needs a non-empty \`batch\` array of events; got ${got}`, [
      { path: 'batch', message: 'must be a non-empty array' },
    ]);
  }
  if (batch.length > BATCH_MAX_EVENTS) {
    throw new TailorError(
      'BATCH_TOO_LARGE',
      `The batch holds ${batch.length} events; a batch may hold at most ${BATCH_MAX_EVENTS}: split it`,
      [{ path: 'batch', message: `must hold at most ${BATCH_MAX_EVENTS} events` }],
    );
  }
  return batch;
}

/**
 * Refuses the whole request when a field beside `batch` is too deep or holds characters no store
 * keeps: the envelope's `context` and `integrations` go into every item.
 */
function checkEnvelope(body: JsonObject): void {
  for (const [field, value] of Object.entries(body)) {
    if (field === 'batch') continue;
    const problem = findJsonProblem({ value, path: field, enclosing: 1 });
    if (problem !== undefined) {
      throw new TailorError(problem.code, problem.message, [
        { path: problem.path, message: problem.message },
      ]);
    }
  }
}

/** The envelope fields every item inherits; a bad one fails the whole request, as it affects every item. */
function readEnvelope(body: JsonObject): BatchEnvelope {
  const envelope: BatchEnvelope = {};
  for (const field of ['context', 'integrations'] as const) {
    const value = readObject(body[field]);
    if (value === WRONG_TYPE) {
      const message = `must be an object, not ${describeType(body[field])}`;
      throw new TailorError('INVALID_EVENT', `The batch's \`${field}\` ${message}`, [
        { path: field, message },
      ]);
    }
    if (value !== undefined) envelope[field] = value;
  }
  const sentAt = readTime(body.sentAt);
  if (Number.isNaN(sentAt)) {
    const message = 'must be an ISO-8601 date like 2026-03-01T10:00:00.000Z';
    throw new TailorError('INVALID_TIMESTAMP', `The batch's \`sentAt\` ${message}`, [
      { path: 'sentAt', message },
    ]);
  }
  if (sentAt !== undefined) envelope.sentAt = sentAt;
  return envelope;
}
