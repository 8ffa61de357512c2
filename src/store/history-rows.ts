import type { TailorEvent } from '../ingest/event.ts';
import { SEGMENT_ENTERED, SEGMENT_EXITED } from '../ingest/reserved-events.ts';
import type { WorkspaceDefinition } from '../workspace/workspace.ts';
import type { SegmentHour } from './ports/view-store.ts';
import type { VersionOrigin, VersionSource, WorkspaceVersion } from './ports/workspace-store.ts';
import { fromJson, type IntColumn, readInt } from './stored-rows.ts';

/**
 * The segment a derived event moved its profile into or out of (`Segment Entered` or
 * `Segment Exited`), kept in the `segment` column of `derived_events` so a segment's latest
 * moves are read off an index; null for every other derived event.
 */
export function movedSegment(event: TailorEvent): string | null {
  if (event.type !== 'track' || (event.event !== SEGMENT_ENTERED && event.event !== SEGMENT_EXITED))
    return null;
  const segment = event.properties['segment'];
  return typeof segment === 'string' ? segment : null;
}

/** A row of `segment_hours` (both adapters). */
export interface SegmentHourRow {
  segment: string;
  hour: IntColumn;
  entries: IntColumn;
  exits: IntColumn;
}

/** A `segment_hours` row of workspace `workspaceId` as a `SegmentHour`. */
export function segmentHourFromRow(workspaceId: string, row: SegmentHourRow): SegmentHour {
  return {
    workspaceId,
    segment: row.segment,
    hour: readInt(row.hour),
    entries: readInt(row.entries),
    exits: readInt(row.exits),
  };
}

/** A row of `workspace_versions` (both adapters); `definition` is JSON. */
export interface VersionRow {
  workspace_id: string;
  version: IntColumn;
  definition: string;
  text: string | null;
  origin: string;
  key_id: string | null;
  at: IntColumn | null;
  restored_from: IntColumn | null;
}

const ORIGINS: readonly VersionOrigin[] = ['file', 'api', 'segments', 'rollback', 'created', 'unknown'];

/** A `workspace_versions` row as a kept version. */
export function versionFromRow(row: VersionRow): WorkspaceVersion {
  const origin = ORIGINS.find((known) => known === row.origin) ?? 'unknown';
  return {
    workspaceId: row.workspace_id,
    version: readInt(row.version),
    definition: fromJson<WorkspaceDefinition>(row.definition),
    text: row.text,
    origin,
    keyId: row.key_id,
    at: row.at === null ? null : readInt(row.at),
    ...(row.restored_from === null ? {} : { restoredFrom: readInt(row.restored_from) }),
  };
}

/** A version's source as the columns the adapters write (`origin`, `key_id`, `text`, `at`, `restored_from`). */
export function versionColumns(source: VersionSource | undefined, now: number) {
  return {
    origin: source?.origin ?? 'unknown',
    key_id: source?.keyId ?? null,
    text: source?.text ?? null,
    at: source === undefined ? now : source.at,
    restored_from: source?.restoredFrom ?? null,
  };
}
