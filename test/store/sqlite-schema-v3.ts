import { SQLITE_SCHEMA_V2 } from './sqlite-schema-v2.ts';

/**
 * The SQLite schema as version 3 of Tailor created it (before `sends.trigger`): version 2 with
 * the outbox. A fixture for the upgrade test, never changed.
 */
export const SQLITE_SCHEMA_V3 = `
${SQLITE_SCHEMA_V2.replace('PRAGMA user_version = 2;', '')}
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
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX IF NOT EXISTS sends_by_status ON sends (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS sends_by_workspace ON sends (workspace_id, created_at, id);
PRAGMA user_version = 3;
`;
