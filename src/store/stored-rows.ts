import type { ProviderChannel } from '../activate/channel.ts';
import type { SendRecord, SendStatus } from '../activate/send-record.ts';
import { type LoggedEvent, type TailorEvent, toLoggedEvent } from '../ingest/event.ts';
import type { ProfileState } from '../profile/profile.ts';
import type { WorkspaceDefinition } from '../workspace/workspace.ts';
import type { AuditEntry } from './ports/erasure-store.ts';
import type { TriggerSendCount } from './ports/outbox.ts';
import type { DueProfile, MergeRecord, TimelinePage } from './ports/view-store.ts';
import type { StoredWorkspace } from './ports/workspace-store.ts';

/**
 * Turning stored rows back into the port's types, shared by the store adapters. Integer
 * columns arrive as numbers from SQLite and as strings from PostgreSQL's BIGINT (the driver
 * keeps 64-bit precision); `readInt` accepts both.
 */
export type IntColumn = number | string;

/** The cursor before every due profile. */
export const FIRST_DUE: DueProfile = { due: Number.MIN_SAFE_INTEGER, id: '' };

/** Reads JSON a store wrote itself, as the type it was written from. */
export function fromJson<T>(text: string): T {
  return JSON.parse(text);
}

/** An integer column as a number; seqs and epoch-ms times stay far below 2^53. */
export function readInt(value: IntColumn): number {
  if (typeof value === 'number') return value;
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new Error(`BIGINT ${value} does not fit a JavaScript number`);
  return number;
}

/** An event row (`body` is the event as JSON) as a logged event. */
export function eventFromRow(row: { seq: IntColumn; workspace_id: string; body: string }): LoggedEvent {
  return toLoggedEvent(fromJson<TailorEvent>(row.body), readInt(row.seq), row.workspace_id);
}

/**
 * The `due` column of a profile row: its next timer moment, rounded up to a whole millisecond
 * (so a profile is never reported due before its moment), or null when it has none.
 */
export function dueOf(profile: ProfileState): number | null {
  const due = profile.audience?.due;
  return due === undefined || !Number.isFinite(due) ? null : Math.ceil(due);
}

/**
 * A row of a timeline: a logged event linked to the profile, or an event derived for it (`body`
 * is then the derived `LoggedEvent` as JSON and `seq` the seq of its cause). Both read back
 * with `eventFromRow`, which takes seq and workspace from the row.
 */
export interface TimelineRow {
  seq: IntColumn;
  workspace_id: string;
  body: string;
}

/**
 * Reads timeline rows with `from <= seq < before`, at most `limit`, in timeline order: seq
 * descending, derived events before the linked event of their seq, derived events of one seq
 * by `ord` descending.
 */
export type TimelineRows = (range: { before: number; from: number; limit: number }) => Promise<TimelineRow[]>;

/**
 * A page of a timeline from a store's `TimelineRows`. A page never splits the events of one
 * seq (a linked event and the events derived from it): when `limit` falls inside such a
 * group, the page holds the whole group, so it may be longer than `limit`. `nextBefore` is
 * then the seq of the page's last group, and the next page starts after it without losing any
 * event; it is absent when nothing older is left.
 */
export async function timelinePage(
  read: TimelineRows,
  query: { before?: number; limit: number },
): Promise<TimelinePage> {
  const before = query.before ?? Number.MAX_SAFE_INTEGER;
  const rows = await read({ before, from: 0, limit: query.limit + 1 });
  const last = rows[query.limit - 1];
  const extra = rows[query.limit];
  if (extra === undefined || last === undefined)
    return { events: rows.slice(0, query.limit).map(eventFromRow) };
  const lastSeq = readInt(last.seq);
  if (readInt(extra.seq) !== lastSeq) {
    return { events: rows.slice(0, query.limit).map(eventFromRow), nextBefore: lastSeq };
  }
  const group = await read({ before: lastSeq + 1, from: lastSeq, limit: Number.MAX_SAFE_INTEGER });
  const older = await read({ before: lastSeq, from: 0, limit: 1 });
  const events = [...rows.filter((row) => readInt(row.seq) > lastSeq), ...group].map(eventFromRow);
  return older.length > 0 ? { events, nextBefore: lastSeq } : { events };
}

/** A workspace row (`definition` is JSON) as a stored workspace. */
export function workspaceFromRow(row: {
  id: string;
  definition: string;
  version: number;
  view_version: number;
}): StoredWorkspace {
  return {
    id: row.id,
    definition: fromJson<WorkspaceDefinition>(row.definition),
    version: row.version,
    viewVersion: row.view_version,
  };
}

/** A merge row (`identifiers` is a JSON array of keys) as a merge record. */
export function mergeFromRow(row: {
  workspace_id: string;
  from_id: string;
  into_id: string;
  message_id: string;
  seq: IntColumn;
  identifiers: string;
  at: IntColumn;
}): MergeRecord {
  return {
    workspaceId: row.workspace_id,
    intoId: row.into_id,
    fromId: row.from_id,
    messageId: row.message_id,
    seq: readInt(row.seq),
    identifiers: fromJson<string[]>(row.identifiers),
    at: readInt(row.at),
  };
}

/** An audit row (`detail` is JSON) as an audit entry. */
export function auditFromRow(row: {
  workspace_id: string;
  action: string;
  detail: string;
  at: IntColumn;
}): AuditEntry {
  return {
    workspaceId: row.workspace_id,
    action: row.action,
    detail: fromJson<Record<string, unknown>>(row.detail),
    at: readInt(row.at),
  };
}

/**
 * A row of the outbox (`sends`): `recipient` is the send's `to`, `content` its content as
 * JSON; the optional fields are NULL when absent.
 */
export interface SendRow {
  workspace_id: string;
  id: string;
  profile_id: string;
  channel: ProviderChannel;
  recipient: string;
  content: string;
  action: string | null;
  decision_id: string | null;
  status: SendStatus;
  attempts: IntColumn;
  next_attempt_at: IntColumn;
  last_error: string | null;
  provider_message_id: string | null;
  created_at: IntColumn;
  updated_at: IntColumn;
  trigger: string | null;
  called_at: IntColumn | null;
}

/** A send as the row that stores it (times and attempts as whole numbers). */
export function sendToRow(send: SendRecord): SendRow {
  return {
    workspace_id: send.workspaceId,
    id: send.id,
    profile_id: send.profileId,
    channel: send.channel,
    recipient: send.to,
    content: JSON.stringify(send.content),
    action: send.action ?? null,
    decision_id: send.decisionId ?? null,
    status: send.status,
    attempts: Math.trunc(send.attempts),
    next_attempt_at: Math.trunc(send.nextAttemptAt),
    last_error: send.lastError ?? null,
    provider_message_id: send.providerMessageId ?? null,
    created_at: Math.trunc(send.createdAt),
    updated_at: Math.trunc(send.updatedAt),
    trigger: send.trigger ?? null,
    called_at: send.calledAt === undefined ? null : Math.trunc(send.calledAt),
  };
}

/** An outbox row as a send; a NULL optional column leaves its field absent. */
export function sendFromRow(row: SendRow): SendRecord {
  return {
    workspaceId: row.workspace_id,
    id: row.id,
    profileId: row.profile_id,
    channel: row.channel,
    to: row.recipient,
    content: fromJson<Record<string, unknown>>(row.content),
    ...(row.action === null ? {} : { action: row.action }),
    ...(row.decision_id === null ? {} : { decisionId: row.decision_id }),
    ...(row.trigger === null ? {} : { trigger: row.trigger }),
    status: row.status,
    attempts: readInt(row.attempts),
    nextAttemptAt: readInt(row.next_attempt_at),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
    ...(row.provider_message_id === null ? {} : { providerMessageId: row.provider_message_id }),
    ...(row.called_at === null ? {} : { calledAt: readInt(row.called_at) }),
    createdAt: readInt(row.created_at),
    updatedAt: readInt(row.updated_at),
  };
}

/** The cursor before every send of a listing (newest first). */
export const FIRST_SEND: { createdAt: number; id: string } = { createdAt: Number.MAX_SAFE_INTEGER, id: '' };

/**
 * The least string above every string that starts with `prefix`, in code point order (SQLite's
 * BINARY collation, PostgreSQL's "C"): `prefix` with its last code point raised by one. Null
 * when there is none (an empty prefix, or one ending in the highest code point): then only the
 * lower bound holds. Lets a prefix match be an index range.
 */
export function prefixUpperBound(prefix: string): string | null {
  const points = [...prefix];
  const last = points.pop();
  const code = last?.codePointAt(0);
  if (code === undefined || code >= 0x10ffff) return null;
  // Skip the surrogate range, which no string of code points holds.
  const next = code + 1 === 0xd800 ? 0xe000 : code + 1;
  return points.join('') + String.fromCodePoint(next);
}

/** A row of the trigger counts query: the count arrives as a string from PostgreSQL. */
export interface TriggerCountRow {
  trigger: string;
  status: SendStatus;
  count: IntColumn;
}

/** A trigger counts row as a count. */
export function triggerCountFromRow(row: TriggerCountRow): TriggerSendCount {
  return { trigger: row.trigger, status: row.status, count: readInt(row.count) };
}
