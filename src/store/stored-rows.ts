import { type LoggedEvent, type TailorEvent, toLoggedEvent } from '../ingest/event.ts';
import type { WorkspaceDefinition } from '../workspace/workspace.ts';
import type { AuditEntry, MergeRecord, StoredWorkspace } from './store.ts';

/**
 * Turning stored rows back into the port's types, shared by the store adapters. Integer
 * columns arrive as numbers from SQLite and as strings from PostgreSQL's BIGINT (the driver
 * keeps 64-bit precision); `readInt` accepts both.
 */
type IntColumn = number | string;

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
