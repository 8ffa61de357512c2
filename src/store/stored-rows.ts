import { type LoggedEvent, type TailorEvent, toLoggedEvent } from '../ingest/event.ts';
import type { ProfileState } from '../profile/profile.ts';
import type { WorkspaceDefinition } from '../workspace/workspace.ts';
import type { AuditEntry, DueProfile, MergeRecord, StoredWorkspace, TimelinePage } from './store.ts';

/**
 * Turning stored rows back into the port's types, shared by the store adapters. Integer
 * columns arrive as numbers from SQLite and as strings from PostgreSQL's BIGINT (the driver
 * keeps 64-bit precision); `readInt` accepts both.
 */
type IntColumn = number | string;

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
