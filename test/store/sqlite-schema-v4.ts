import { SQLITE_SCHEMA_V3 } from './sqlite-schema-v3.ts';

/**
 * The SQLite schema as version 4 of Tailor created it (before `sends.called_at`): version 3
 * with `sends.trigger` and its index. A fixture for the upgrade test, never changed.
 */
export const SQLITE_SCHEMA_V4 = `
${SQLITE_SCHEMA_V3.replace('  updated_at INTEGER NOT NULL,\n', '  updated_at INTEGER NOT NULL,\n  "trigger" TEXT,\n').replace('PRAGMA user_version = 3;', '')}
CREATE INDEX IF NOT EXISTS sends_by_trigger ON sends (workspace_id, "trigger", status);
PRAGMA user_version = 4;
`;
