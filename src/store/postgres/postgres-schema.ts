import { postgresExposuresTable } from './postgres-exposures.ts';
import { postgresHistoryTables } from './postgres-history.ts';

/**
 * The PostgreSQL schema, idempotent, with every table in the schema `schema` (a validated
 * identifier). Mirrors the SQLite schema: `events` is the log (an identity column, so a seq is
 * never reused after an erasure); everything else is the materialized view, rebuilt by
 * replay, plus workspaces, keys and the audit log.
 *
 * JSON is kept as TEXT, not JSONB: bodies come back byte for byte as written (JSONB reorders
 * keys and rejects `\u0000` in strings), inserts skip JSONB's parse, and nothing queries
 * inside the documents. Epoch-ms times and seqs are BIGINT.
 *
 * `merges` keeps each merge as it happened (for history); `aliases` maps every merged id
 * straight to its current survivor (repointed on each later merge), so resolving is one hop.
 *
 * `profiles.due` is the profile's next timer moment (`audience.due`), indexed so timers find
 * due profiles without a scan; `ADD COLUMN IF NOT EXISTS` gives it to databases created before
 * it. `derived_events` holds the events Tailor derived for a profile, keyed by the profile they
 * were derived for, their cause's seq and their order among that cause's; they stay under that
 * id after a merge and are found through `aliases`. `segment_members` is each profile's current
 * segment memberships; `segment_hours` counts their entries and exits by hour, and
 * `workspace_versions` keeps every version of each definition (see `postgresHistoryTables`).
 * `learning_states` is each workspace's learning state as of a log position, written with a
 * view commit (a schema made before it gets the table; the start then counts the log once).
 *
 * `sends` is the outbox: one row per send, keyed by its idempotency key, with its delivery
 * state, the trigger of the decision that asked for it and `called_at`, when its latest attempt
 * was handed to the provider (NULL before; a claim clears it), indexed for claiming (pending
 * sends by due moment), for listing (a workspace's, newest first) and for counting by trigger
 * prefix and status. `trigger` collates as "C" (code point order), so a prefix is an index range
 * whatever the database's collation; `ADD COLUMN IF NOT EXISTS` gives `trigger` to older
 * outboxes. `called_at` is added once, when missing, and set on the sends an older Tailor left
 * `sending`, for they may have reached their provider (`schema` is a plain identifier, safe as a
 * literal). The outbox is neither log nor view: replay and rebuilds never touch it.
 *
 * `exposures` is the exposure log (see `postgresExposuresTable`), neither log nor view either.
 *
 * `api_keys` holds keys by hash with a public id, origin, label, hint and times; keys of a
 * schema made before ids existed are given a random id once and count as `generated` (so the
 * next start with keys given by environment replaces them).
 */
export function postgresSchema(schema: string): string {
  const s = `"${schema}"`;
  return `
CREATE SCHEMA IF NOT EXISTS ${s};

CREATE TABLE IF NOT EXISTS ${s}.events (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  timestamp BIGINT NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (workspace_id, message_id)
);
CREATE INDEX IF NOT EXISTS events_by_workspace ON ${s}.events (workspace_id, seq);

CREATE TABLE IF NOT EXISTS ${s}.profiles (
  workspace_id TEXT NOT NULL,
  id TEXT NOT NULL,
  state TEXT NOT NULL,
  due BIGINT,
  PRIMARY KEY (workspace_id, id)
);
ALTER TABLE ${s}.profiles ADD COLUMN IF NOT EXISTS due BIGINT;
CREATE INDEX IF NOT EXISTS profiles_by_due ON ${s}.profiles (workspace_id, due);

CREATE TABLE IF NOT EXISTS ${s}.identifiers (
  workspace_id TEXT NOT NULL,
  key TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  PRIMARY KEY (workspace_id, key)
);
CREATE INDEX IF NOT EXISTS identifiers_by_profile ON ${s}.identifiers (workspace_id, profile_id);

CREATE TABLE IF NOT EXISTS ${s}.merges (
  workspace_id TEXT NOT NULL,
  from_id TEXT NOT NULL,
  into_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  identifiers TEXT NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (workspace_id, from_id)
);

CREATE TABLE IF NOT EXISTS ${s}.aliases (
  workspace_id TEXT NOT NULL,
  from_id TEXT NOT NULL,
  into_id TEXT NOT NULL,
  PRIMARY KEY (workspace_id, from_id)
);
CREATE INDEX IF NOT EXISTS aliases_by_survivor ON ${s}.aliases (workspace_id, into_id);

CREATE TABLE IF NOT EXISTS ${s}.event_links (
  seq BIGINT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  profile_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS event_links_by_profile ON ${s}.event_links (workspace_id, profile_id, seq);

CREATE TABLE IF NOT EXISTS ${s}.derived_events (
  workspace_id TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  ord INTEGER NOT NULL,
  body TEXT NOT NULL,
  segment TEXT,
  PRIMARY KEY (workspace_id, profile_id, seq, ord)
);

CREATE TABLE IF NOT EXISTS ${s}.segment_members (
  workspace_id TEXT NOT NULL,
  segment TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  entered_at BIGINT NOT NULL,
  PRIMARY KEY (workspace_id, segment, profile_id)
);
CREATE INDEX IF NOT EXISTS segment_members_by_profile ON ${s}.segment_members (workspace_id, profile_id);

CREATE TABLE IF NOT EXISTS ${s}.view_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  checkpoint BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS ${s}.learning_states (
  workspace_id TEXT PRIMARY KEY,
  seq BIGINT NOT NULL,
  state TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS ${s}.workspaces (
  id TEXT PRIMARY KEY,
  definition TEXT NOT NULL,
  version INTEGER NOT NULL,
  view_version INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS ${s}.api_keys (
  hash TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('write', 'admin')),
  id TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL CHECK (source IN ('env', 'generated', 'api')),
  name TEXT,
  hint TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT,
  revoked_at BIGINT
);
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns
      WHERE table_schema = '${schema}' AND table_name = 'api_keys' AND column_name = 'id') THEN
    ALTER TABLE ${s}.api_keys ADD COLUMN id TEXT, ADD COLUMN source TEXT NOT NULL DEFAULT 'generated'
        CHECK (source IN ('env', 'generated', 'api')),
      ADD COLUMN name TEXT, ADD COLUMN hint TEXT NOT NULL DEFAULT '',
      ADD COLUMN created_at BIGINT NOT NULL DEFAULT (extract(epoch FROM now()) * 1000)::bigint,
      ADD COLUMN last_used_at BIGINT, ADD COLUMN revoked_at BIGINT;
    UPDATE ${s}.api_keys SET id = 'key_' || substr(md5(random()::text || hash), 1, 24);
    ALTER TABLE ${s}.api_keys ALTER COLUMN id SET NOT NULL, ADD UNIQUE (id),
      ALTER COLUMN source DROP DEFAULT, ALTER COLUMN hint DROP DEFAULT, ALTER COLUMN created_at DROP DEFAULT;
  END IF;
END $$;
CREATE INDEX IF NOT EXISTS api_keys_by_workspace ON ${s}.api_keys (workspace_id, created_at, id);

CREATE TABLE IF NOT EXISTS ${s}.audit (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_workspace ON ${s}.audit (workspace_id, id);

CREATE TABLE IF NOT EXISTS ${s}.sends (
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
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT,
  provider_message_id TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  "trigger" TEXT COLLATE "C",
  called_at BIGINT,
  PRIMARY KEY (workspace_id, id)
);
ALTER TABLE ${s}.sends ADD COLUMN IF NOT EXISTS "trigger" TEXT COLLATE "C";
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns
      WHERE table_schema = '${schema}' AND table_name = 'sends' AND column_name = 'called_at') THEN
    ALTER TABLE ${s}.sends ADD COLUMN called_at BIGINT;
    UPDATE ${s}.sends SET called_at = updated_at WHERE status = 'sending';
  END IF;
END $$;
CREATE INDEX IF NOT EXISTS sends_by_status ON ${s}.sends (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS sends_by_workspace ON ${s}.sends (workspace_id, created_at, id);
CREATE INDEX IF NOT EXISTS sends_by_trigger ON ${s}.sends (workspace_id, "trigger", status);
${postgresExposuresTable(s)}${postgresHistoryTables(schema)}`;
}
