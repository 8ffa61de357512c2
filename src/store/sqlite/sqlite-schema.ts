import type { Database } from 'better-sqlite3';
import { SQLITE_EXPOSURES_TABLE } from './sqlite-exposures.ts';
import { SQLITE_LEARNING_STATES_TABLE } from './sqlite-learning-states.ts';
import {
  SQLITE_MOVES_INDEX,
  SQLITE_SEGMENT_HISTORY_TABLES,
  SQLITE_SEGMENT_HISTORY_UPGRADE,
} from './sqlite-segment-history.ts';
import { SQLITE_WORKSPACE_VERSIONS_TABLE } from './sqlite-workspace-versions.ts';

/** The schema version `migrate` brings a database to (kept in `PRAGMA user_version`). */
export const SQLITE_SCHEMA_VERSION = 9;

/**
 * The outbox as version 3 created it, kept as it was for the upgrade from version 2 (the
 * columns of later versions, `trigger` and `called_at`, are then added like on any version 3
 * database). `columns` is appended to the column list.
 */
function sendsTable(columns: string): string {
  return `
CREATE TABLE IF NOT EXISTS sends (
  workspace_id TEXT NOT NULL,
  id TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  recipient TEXT NOT NULL,
  content TEXT NOT NULL,
  action TEXT,
  decision_id TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dead')),
  attempts INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  provider_message_id TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,${columns}
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX IF NOT EXISTS sends_by_status ON sends (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS sends_by_workspace ON sends (workspace_id, created_at, id);
`;
}

/**
 * The outbox: one row per send, keyed by its idempotency key, with its delivery state, the
 * trigger of the decision that asked for it, and `called_at`, when its latest attempt was
 * handed to the provider (NULL before; a claim clears it). Indexed for claiming (pending sends
 * by due moment), for listing (a workspace's, newest first) and for counting by trigger prefix
 * and status. Not view data: replay and rebuilds never touch it; erasure removes a profile's.
 */
const SENDS_TABLE = `${sendsTable('\n  "trigger" TEXT,\n  called_at INTEGER,')}
CREATE INDEX IF NOT EXISTS sends_by_trigger ON sends (workspace_id, "trigger", status);
`;

/**
 * API keys by the SHA-256 of the key (never the key itself), with a public id, where the key
 * came from, a label, a hint of its material for lists, and its creation, last use (written at
 * most once a minute per key) and revocation times. A revoked key stays, for the record.
 */
const API_KEYS_TABLE = `
CREATE TABLE IF NOT EXISTS api_keys (
  hash TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('write', 'admin')),
  id TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL CHECK (source IN ('env', 'generated', 'api')),
  name TEXT,
  hint TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX IF NOT EXISTS api_keys_by_workspace ON api_keys (workspace_id, created_at, id);
`;

/**
 * The SQLite schema, idempotent. `events` is the log (the source of truth; `AUTOINCREMENT` so
 * a seq is never reused after an erasure). Everything else is the materialized view, rebuilt
 * by replay, plus workspaces, keys and the audit log.
 *
 * `merges` keeps each merge as it happened (for history); `aliases` maps every merged id
 * straight to its current survivor (repointed on each later merge), so resolving is one hop.
 *
 * `profiles.due` is the profile's next timer moment (`audience.due`), indexed so timers find
 * due profiles without a scan. `derived_events` holds the events Tailor derived for a profile,
 * keyed by the profile they were derived for, their cause's seq and their order among that
 * cause's; they stay under that id after a merge and are found through `aliases`.
 * `segment_members` is each profile's current segment memberships, `segment_hours` their
 * entries and exits by hour (see `SQLITE_SEGMENT_HISTORY_TABLES`), `learning_states` each
 * workspace's learning state as of a log position (see `SQLITE_LEARNING_STATES_TABLE`). `sends` is the outbox (see
 * `SENDS_TABLE`), kept by neither the log nor the view; so is `exposures`, the exposure log
 * (see `SQLITE_EXPOSURES_TABLE`).
 */
export const SQLITE_SCHEMA = `
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
  due INTEGER,
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX IF NOT EXISTS profiles_by_due ON profiles (workspace_id, due);

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

CREATE TABLE IF NOT EXISTS derived_events (
  workspace_id TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ord INTEGER NOT NULL,
  body TEXT NOT NULL,
  segment TEXT,
  PRIMARY KEY (workspace_id, profile_id, seq, ord)
) WITHOUT ROWID;
${SQLITE_MOVES_INDEX}${SQLITE_SEGMENT_HISTORY_TABLES}
CREATE TABLE IF NOT EXISTS segment_members (
  workspace_id TEXT NOT NULL,
  segment TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  entered_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, segment, profile_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS segment_members_by_profile ON segment_members (workspace_id, profile_id);

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

${API_KEYS_TABLE}
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_workspace ON audit (workspace_id, id);
${SENDS_TABLE}${SQLITE_EXPOSURES_TABLE}${SQLITE_WORKSPACE_VERSIONS_TABLE}${SQLITE_LEARNING_STATES_TABLE}
PRAGMA user_version = ${SQLITE_SCHEMA_VERSION};
`;

/**
 * What brings a database from the version it is keyed by to the next one, run before
 * `SQLITE_SCHEMA` (whose `CREATE … IF NOT EXISTS` then adds new tables and indexes).
 */
const SQLITE_UPGRADES: Record<number, string> = {
  1: 'ALTER TABLE profiles ADD COLUMN due INTEGER;',
  2: sendsTable(''),
  3: 'ALTER TABLE sends ADD COLUMN "trigger" TEXT;',
  // A send version 4 left `sending` may have reached its provider: it counts as handed over.
  4: `ALTER TABLE sends ADD COLUMN called_at INTEGER;
UPDATE sends SET called_at = updated_at WHERE status = 'sending';`,
  // Keys before version 6 had no id or origin: each gets a random id, and counts as generated,
  // so the next start with keys given by environment replaces it.
  5: `ALTER TABLE api_keys RENAME TO api_keys_v5;
${API_KEYS_TABLE}
INSERT INTO api_keys (hash, workspace_id, kind, id, source, hint, created_at)
  SELECT hash, workspace_id, kind, 'key_' || lower(hex(randomblob(12))), 'generated', '',
    CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM api_keys_v5;
DROP TABLE api_keys_v5;`,
  // Version 7 adds the exposure log: new tables only, which `SQLITE_SCHEMA` creates.
  6: '',
  // Version 8 counts segment entries and exits by hour and keeps workspace versions.
  7: SQLITE_SEGMENT_HISTORY_UPGRADE,
  // Version 9 keeps each workspace's learning state with the view: a new table, which
  // `SQLITE_SCHEMA` creates; until a commit writes one, the start counts the log as before.
  8: '',
};

/**
 * Brings the database to `SQLITE_SCHEMA_VERSION` in one transaction: a fresh database
 * (version 0) gets the schema as is; an older one is upgraded step by step first. A database
 * of a newer version is refused rather than written with an older schema's assumptions.
 */
export function migrateSqlite(db: Database): void {
  const version = Number(db.pragma('user_version', { simple: true }));
  if (version > SQLITE_SCHEMA_VERSION) {
    throw new Error(
      `SQLite database schema version ${version} is newer than this Tailor's (${SQLITE_SCHEMA_VERSION})`,
    );
  }
  db.transaction(() => {
    for (let from = version; from > 0 && from < SQLITE_SCHEMA_VERSION; from += 1) {
      const upgrade = SQLITE_UPGRADES[from];
      if (upgrade === undefined) throw new Error(`no upgrade of the SQLite schema from version ${from}`);
      db.exec(upgrade);
    }
    db.exec(SQLITE_SCHEMA);
  })();
}
