import type { Database } from 'better-sqlite3';
import { type VersionRow, versionColumns, versionFromRow } from '../history-rows.ts';
import type { VersionSource, WorkspaceVersion } from '../ports/workspace-store.ts';

/**
 * Every version of each workspace's definition, with where it came from: the origin, the admin
 * key's public id, when, and the file as applied (secrets included: an API answer redacts
 * them). Not view data: rebuilds and erasure leave it. Versions saved before this table existed
 * are kept from the definition in force (`unknown`, no text), once, when the schema is opened.
 */
export const SQLITE_WORKSPACE_VERSIONS_TABLE = `
CREATE TABLE IF NOT EXISTS workspace_versions (
  workspace_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  definition TEXT NOT NULL,
  text TEXT,
  origin TEXT NOT NULL,
  key_id TEXT,
  at INTEGER,
  restored_from INTEGER,
  PRIMARY KEY (workspace_id, version)
);
INSERT OR IGNORE INTO workspace_versions (workspace_id, version, definition, origin)
  SELECT id, version, definition, 'unknown' FROM workspaces;
`;

/** The SQLite workspace versions' statements over one connection (`SqliteStore` runs them). */
export class SqliteWorkspaceVersions {
  private readonly insert;
  private readonly list;
  private readonly one;

  constructor(db: Database) {
    this.insert = db.prepare<[Omit<VersionRow, 'restored_from'> & { restored_from: number | null }]>(
      `INSERT OR REPLACE INTO workspace_versions
         (workspace_id, version, definition, text, origin, key_id, at, restored_from)
       VALUES (@workspace_id, @version, @definition, @text, @origin, @key_id, @at, @restored_from)`,
    );
    this.list = db.prepare<[string, number, number], VersionRow>(
      `SELECT * FROM workspace_versions WHERE workspace_id = ? AND version < ? ORDER BY version DESC LIMIT ?`,
    );
    this.one = db.prepare<[string, number], VersionRow>(
      'SELECT * FROM workspace_versions WHERE workspace_id = ? AND version = ?',
    );
  }

  /** Keeps a version just saved; run inside the save's transaction. */
  keep(input: { workspaceId: string; version: number; definition: string; source?: VersionSource }): void {
    this.insert.run({
      workspace_id: input.workspaceId,
      version: input.version,
      definition: input.definition,
      ...versionColumns(input.source, Date.now()),
    });
  }

  page(query: { workspaceId: string; before?: number; limit: number }): WorkspaceVersion[] {
    return this.list
      .all(query.workspaceId, query.before ?? Number.MAX_SAFE_INTEGER, query.limit)
      .map(versionFromRow);
  }

  get(workspaceId: string, version: number): WorkspaceVersion | undefined {
    const row = this.one.get(workspaceId, version);
    return row && versionFromRow(row);
  }
}
