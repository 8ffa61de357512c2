import type { Database } from 'better-sqlite3';
import { EXPOSURE_COLUMNS, type ExposureDbRow, exposurePage, exposureValues } from '../exposure-rows.ts';
import type {
  ExposurePage,
  ExposureRow,
  PlacementExposuresQuery,
  ProfileExposuresQuery,
} from '../ports/exposure-log.ts';

/**
 * The exposure log: one row per placement shown by a decision, unique by (workspace, decision
 * messageId, placement). `seq` orders it (newest first reads go backwards on it). Indexed by
 * profile and by placement for the two reads, and by user and anonymous id (only where set) so a
 * profile's reads and its erasure find what was shown before the profile was known. Neither log
 * nor view: replay and rebuilds never touch it; erasure removes a person's.
 */
export const SQLITE_EXPOSURES_TABLE = `
CREATE TABLE IF NOT EXISTS exposures (
  seq INTEGER PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  profile_id TEXT,
  user_id TEXT,
  anonymous_id TEXT,
  placement TEXT NOT NULL,
  variant TEXT NOT NULL,
  message_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  UNIQUE (workspace_id, message_id, placement)
);
CREATE INDEX IF NOT EXISTS exposures_by_profile ON exposures (workspace_id, profile_id, seq);
CREATE INDEX IF NOT EXISTS exposures_by_placement ON exposures (workspace_id, placement, seq);
CREATE INDEX IF NOT EXISTS exposures_by_user ON exposures (workspace_id, user_id, seq) WHERE user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS exposures_by_anonymous ON exposures (workspace_id, anonymous_id, seq)
  WHERE anonymous_id IS NOT NULL;
`;

/**
 * The exposures of profiles `@list` (a JSON array of ids) in workspace `@ws`: recorded under
 * one of the ids, or under a user or anonymous id one of them holds in the identifier index.
 */
function ofProfiles(list: string): string {
  const keys = (type: string) =>
    `SELECT substr(key, ${type.length + 2}) FROM identifiers
     WHERE workspace_id = @ws AND profile_id IN (${list}) AND substr(key, 1, ${type.length + 1}) = '${type}:'`;
  return `workspace_id = @ws AND (profile_id IN (${list})
    OR (user_id IS NOT NULL AND user_id IN (${keys('user_id')}))
    OR (anonymous_id IS NOT NULL AND anonymous_id IN (${keys('anonymous_id')})))`;
}

/** The SQLite exposure log's statements over one connection (`SqliteStore` runs them). */
export class SqliteExposures {
  private readonly insert;
  private readonly byProfile;
  private readonly byPlacement;
  private readonly erase;

  constructor(db: Database) {
    const names = EXPOSURE_COLUMNS.join(', ');
    this.insert = db.prepare<(string | number | null)[]>(
      `INSERT OR IGNORE INTO exposures (${names}) VALUES (${EXPOSURE_COLUMNS.map(() => '?').join(', ')})`,
    );
    const profiles = `SELECT @profile UNION ALL SELECT from_id FROM aliases WHERE workspace_id = @ws AND into_id = @profile`;
    this.byProfile = db.prepare<
      [{ ws: string; profile: string; before: number; limit: number }],
      ExposureDbRow
    >(
      `SELECT * FROM exposures WHERE ${ofProfiles(profiles)}
         AND seq < @before ORDER BY seq DESC LIMIT @limit`,
    );
    this.byPlacement = db.prepare<[string, string, number, number], ExposureDbRow>(
      'SELECT * FROM exposures WHERE workspace_id = ? AND placement = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
    );
    this.erase = db.prepare<[{ ws: string; list: string }]>(
      `DELETE FROM exposures WHERE ${ofProfiles('SELECT value FROM json_each(@list)')}`,
    );
  }

  /** Inserts the rows, skipping those already logged; run inside the store's transaction. */
  append(rows: ExposureRow[]): number {
    let added = 0;
    for (const row of rows) added += this.insert.run(...exposureValues(row)).changes;
    return added;
  }

  profilePage(query: ProfileExposuresQuery): ExposurePage {
    const rows = this.byProfile.all({
      ws: query.workspaceId,
      profile: query.profileId,
      before: query.before ?? Number.MAX_SAFE_INTEGER,
      limit: query.limit + 1,
    });
    return exposurePage(rows, query.limit);
  }

  placementPage(query: PlacementExposuresQuery): ExposurePage {
    const before = query.before ?? Number.MAX_SAFE_INTEGER;
    const rows = this.byPlacement.all(query.workspaceId, query.placement, before, query.limit + 1);
    return exposurePage(rows, query.limit);
  }

  /**
   * Deletes the exposures of the profiles in `list` (a JSON array of ids); run inside the
   * erasure's transaction, before their identifiers are deleted.
   */
  eraseProfiles(workspaceId: string, list: string): void {
    this.erase.run({ ws: workspaceId, list });
  }
}
