/**
 * The SQLite schema as version 1 of Tailor created it (before `profiles.due`, `derived_events`
 * and `segment_members`): a fixture for the upgrade test, never changed.
 */
export const SQLITE_SCHEMA_V1 = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (workspace_id, message_id)
);
CREATE INDEX IF NOT EXISTS events_by_workspace ON events (workspace_id, seq);

CREATE TABLE IF NOT EXISTS profiles (
  workspace_id TEXT NOT NULL,
  id TEXT NOT NULL,
  state TEXT NOT NULL,
  PRIMARY KEY (workspace_id, id)
);

CREATE TABLE IF NOT EXISTS identifiers (
  workspace_id TEXT NOT NULL,
  key TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  PRIMARY KEY (workspace_id, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS identifiers_by_profile ON identifiers (workspace_id, profile_id);

CREATE TABLE IF NOT EXISTS merges (
  workspace_id TEXT NOT NULL,
  from_id TEXT NOT NULL,
  into_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  identifiers TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, from_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS aliases (
  workspace_id TEXT NOT NULL,
  from_id TEXT NOT NULL,
  into_id TEXT NOT NULL,
  PRIMARY KEY (workspace_id, from_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS aliases_by_survivor ON aliases (workspace_id, into_id);

CREATE TABLE IF NOT EXISTS event_links (
  seq INTEGER PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  profile_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS event_links_by_profile ON event_links (workspace_id, profile_id, seq);

CREATE TABLE IF NOT EXISTS view_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  checkpoint INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS workspaces (
  id TEXT PRIMARY KEY,
  definition TEXT NOT NULL,
  version INTEGER NOT NULL,
  view_version INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS api_keys (
  hash TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('write', 'admin'))
);

CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_workspace ON audit (workspace_id, id);

PRAGMA user_version = 1;
`;
