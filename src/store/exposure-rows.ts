import type { ExposurePage, ExposureRow, StoredExposure } from './ports/exposure-log.ts';
import { readInt } from './stored-rows.ts';

/** An integer column: a number in SQLite, a string for PostgreSQL's BIGINT. */
type IntColumn = number | string;

/** An exposure as both adapters store it (`seq` and `at` are BIGINT in PostgreSQL). */
export interface ExposureDbRow {
  seq: IntColumn;
  workspace_id: string;
  profile_id: string | null;
  user_id: string | null;
  anonymous_id: string | null;
  placement: string;
  variant: string;
  message_id: string;
  at: IntColumn;
}

/** The columns of an exposure in insert order (SQLite's named parameters use the same names). */
export const EXPOSURE_COLUMNS = [
  'workspace_id',
  'profile_id',
  'user_id',
  'anonymous_id',
  'placement',
  'variant',
  'message_id',
  'at',
] as const;

/** An exposure as its column values, in `EXPOSURE_COLUMNS` order. */
export function exposureValues(row: ExposureRow): (string | number | null)[] {
  return [
    row.workspaceId,
    row.profileId,
    row.userId,
    row.anonymousId,
    row.placement,
    row.variant,
    row.messageId,
    row.at,
  ];
}

/** A stored row as an exposure. */
export function exposureFromRow(row: ExposureDbRow): StoredExposure {
  return {
    seq: readInt(row.seq),
    workspaceId: row.workspace_id,
    profileId: row.profile_id,
    userId: row.user_id,
    anonymousId: row.anonymous_id,
    placement: row.placement,
    variant: row.variant,
    messageId: row.message_id,
    at: readInt(row.at),
  };
}

/**
 * A page from rows read newest first with one row more than `limit`: the extra row only says
 * that there is a next page, which starts before the last row kept.
 */
export function exposurePage(rows: ExposureDbRow[], limit: number): ExposurePage {
  const exposures = rows.slice(0, limit).map(exposureFromRow);
  const last = exposures[exposures.length - 1];
  return rows.length > limit && last !== undefined ? { exposures, nextBefore: last.seq } : { exposures };
}
