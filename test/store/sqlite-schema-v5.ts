import { SQLITE_SCHEMA_V4 } from './sqlite-schema-v4.ts';

/**
 * The SQLite schema as version 5 of Tailor created it (before key ids, origins and times):
 * version 4 with `sends.called_at`. A fixture for the upgrade test, never changed.
 */
export const SQLITE_SCHEMA_V5 = `
${SQLITE_SCHEMA_V4.replace('  "trigger" TEXT,\n', '  "trigger" TEXT,\n  called_at INTEGER,\n').replace('PRAGMA user_version = 4;', '')}
PRAGMA user_version = 5;
`;
