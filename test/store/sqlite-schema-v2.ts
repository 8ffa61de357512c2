import { SQLITE_SCHEMA_V1 } from './sqlite-schema-v1.ts';

/**
 * The SQLite schema as version 2 of Tailor created it (before the outbox, `sends`): version 1
 * with `profiles.due`, `derived_events` and `segment_members`. A fixture for the upgrade
 * test, never changed.
 */
export const SQLITE_SCHEMA_V2 = `
${SQLITE_SCHEMA_V1.replace('PRAGMA user_version = 1;', '')}
ALTER TABLE profiles ADD COLUMN due INTEGER;
CREATE INDEX IF NOT EXISTS profiles_by_due ON profiles (workspace_id, due);

CREATE TABLE IF NOT EXISTS derived_events (
  workspace_id TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ord INTEGER NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (workspace_id, profile_id, seq, ord)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS segment_members (
  workspace_id TEXT NOT NULL,
  segment TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  entered_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, segment, profile_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS segment_members_by_profile ON segment_members (workspace_id, profile_id);

PRAGMA user_version = 2;
`;
