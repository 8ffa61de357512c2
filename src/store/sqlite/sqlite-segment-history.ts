import type { Database } from 'better-sqlite3';
import { type SegmentHourRow, segmentHourFromRow } from '../history-rows.ts';
import type { SegmentHour, SegmentMove } from '../ports/view-store.ts';
import { eventFromRow } from '../stored-rows.ts';

/**
 * Each segment's entries and exits counted by hour: view data, written with each view commit,
 * cleared with a rebuilt workspace's view and counted again by the replay. `derived_events`
 * carries the segment a derived entry or exit is about in its `segment` column, indexed (where
 * set) so a segment's latest moves are read newest first without a scan.
 */
export const SQLITE_SEGMENT_HISTORY_TABLES = `
CREATE TABLE IF NOT EXISTS segment_hours (
  workspace_id TEXT NOT NULL,
  segment TEXT NOT NULL,
  hour INTEGER NOT NULL,
  entries INTEGER NOT NULL,
  exits INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, segment, hour)
) WITHOUT ROWID;
`;

/** The index of derived entries and exits by segment (created once the column exists). */
export const SQLITE_MOVES_INDEX = `
CREATE INDEX IF NOT EXISTS derived_events_by_segment ON derived_events (workspace_id, segment, seq, ord)
  WHERE segment IS NOT NULL;
`;

/**
 * Brings a version 7 database's derived events to the segment column (creating the table as
 * version 7 had it when an older database has none yet), and counts the entries and exits they
 * hold by hour (merges before the upgrade are not counted as exits).
 */
export const SQLITE_SEGMENT_HISTORY_UPGRADE = `
CREATE TABLE IF NOT EXISTS derived_events (
  workspace_id TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ord INTEGER NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (workspace_id, profile_id, seq, ord)
) WITHOUT ROWID;
ALTER TABLE derived_events ADD COLUMN segment TEXT;
UPDATE derived_events SET segment = body ->> '$.properties.segment'
  WHERE body ->> '$.event' IN ('Segment Entered', 'Segment Exited');
${SQLITE_SEGMENT_HISTORY_TABLES}
INSERT INTO segment_hours (workspace_id, segment, hour, entries, exits)
  SELECT workspace_id, segment, (body ->> '$.timestamp') / 3600000 * 3600000,
    sum(body ->> '$.event' = 'Segment Entered'), sum(body ->> '$.event' = 'Segment Exited')
  FROM derived_events WHERE segment IS NOT NULL GROUP BY 1, 2, 3;
`;

/** The SQLite segment history's statements over one connection (`SqliteStore` runs them). */
export class SqliteSegmentHistory {
  private readonly addHour;
  private readonly hours;
  private readonly moves;
  private readonly eraseExits;

  constructor(db: Database) {
    this.addHour = db.prepare<[SegmentHour]>(
      `INSERT INTO segment_hours (workspace_id, segment, hour, entries, exits)
       VALUES (@workspaceId, @segment, @hour, @entries, @exits)
       ON CONFLICT (workspace_id, segment, hour) DO UPDATE
       SET entries = entries + excluded.entries, exits = exits + excluded.exits`,
    );
    this.hours = db.prepare<[string, string, number], SegmentHourRow>(
      `SELECT segment, hour, entries, exits FROM segment_hours
       WHERE workspace_id = ? AND segment = ? AND hour >= ? ORDER BY hour`,
    );
    this.moves = db.prepare<[string, string, number], { profile_id: string; seq: number; body: string }>(
      `SELECT profile_id, seq, body FROM derived_events INDEXED BY derived_events_by_segment
       WHERE workspace_id = ? AND segment = ? ORDER BY seq DESC, ord DESC LIMIT ?`,
    );
    this.eraseExits = db.prepare<[{ ws: string; list: string; hour: number }]>(
      `INSERT INTO segment_hours (workspace_id, segment, hour, entries, exits)
       SELECT workspace_id, segment, @hour, 0, count(*) FROM segment_members INDEXED BY segment_members_by_profile
       WHERE workspace_id = @ws AND profile_id IN (SELECT value FROM json_each(@list)) GROUP BY segment
       ON CONFLICT (workspace_id, segment, hour) DO UPDATE SET exits = exits + excluded.exits`,
    );
  }

  /** Adds a commit's counts; run inside the commit's transaction. */
  add(rows: readonly SegmentHour[]): void {
    for (const row of rows) this.addHour.run(row);
  }

  /** Counts the memberships of profiles about to be erased as exits in `hour`; run before they are deleted. */
  countErased(scope: { ws: string; list: string; hour: number }): void {
    this.eraseExits.run(scope);
  }

  read(query: { workspaceId: string; segment: string; from: number }): SegmentHour[] {
    return this.hours
      .all(query.workspaceId, query.segment, query.from)
      .map((row) => segmentHourFromRow(query.workspaceId, row));
  }

  latestMoves(query: { workspaceId: string; segment: string; limit: number }): SegmentMove[] {
    return this.moves.all(query.workspaceId, query.segment, query.limit).map((row) => ({
      profileId: row.profile_id,
      event: eventFromRow({ seq: row.seq, workspace_id: query.workspaceId, body: row.body }),
    }));
  }
}
