/**
 * The tables of the segment history and the workspace versions in schema `s` (quoted), as the
 * SQLite ones (`SQLITE_SEGMENT_HISTORY_TABLES`, `SQLITE_WORKSPACE_VERSIONS_TABLE`), run after
 * `derived_events` and `workspaces` exist. A schema made before them gets `derived_events.segment`
 * once, filled from the stored entries and exits, which are then counted by hour (merges before
 * the upgrade are not counted as exits); the version in force of each workspace is kept as
 * `unknown`. `schema` is a plain identifier, safe as a literal.
 */
export function postgresHistoryTables(schema: string): string {
  const s = `"${schema}"`;
  return `
CREATE TABLE IF NOT EXISTS ${s}.segment_hours (
  workspace_id TEXT NOT NULL,
  segment TEXT NOT NULL,
  hour BIGINT NOT NULL,
  entries BIGINT NOT NULL,
  exits BIGINT NOT NULL,
  PRIMARY KEY (workspace_id, segment, hour)
);
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns
      WHERE table_schema = '${schema}' AND table_name = 'derived_events' AND column_name = 'segment') THEN
    ALTER TABLE ${s}.derived_events ADD COLUMN segment TEXT;
    UPDATE ${s}.derived_events SET segment = body::json->'properties'->>'segment'
      WHERE body::json->>'event' IN ('Segment Entered', 'Segment Exited');
    INSERT INTO ${s}.segment_hours (workspace_id, segment, hour, entries, exits)
      SELECT workspace_id, segment, (body::json->>'timestamp')::int8 / 3600000 * 3600000,
        count(*) FILTER (WHERE body::json->>'event' = 'Segment Entered'),
        count(*) FILTER (WHERE body::json->>'event' = 'Segment Exited')
      FROM ${s}.derived_events WHERE segment IS NOT NULL GROUP BY 1, 2, 3
      ON CONFLICT DO NOTHING;
  END IF;
END $$;
CREATE INDEX IF NOT EXISTS derived_events_by_segment ON ${s}.derived_events (workspace_id, segment, seq, ord)
  WHERE segment IS NOT NULL;

CREATE TABLE IF NOT EXISTS ${s}.workspace_versions (
  workspace_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  definition TEXT NOT NULL,
  text TEXT,
  origin TEXT NOT NULL,
  key_id TEXT,
  at BIGINT,
  restored_from INTEGER,
  PRIMARY KEY (workspace_id, version)
);
INSERT INTO ${s}.workspace_versions (workspace_id, version, definition, origin)
  SELECT id, version, definition, 'unknown' FROM ${s}.workspaces
  ON CONFLICT DO NOTHING;
`;
}

/** The statements of the segment history and the workspace versions, over schema `s` (quoted). */
export function postgresHistoryQueries(s: string) {
  return {
    /** Rows bound as one JSON array of [ws, segment, hour, entries, exits]. */
    addHours: `INSERT INTO ${s}.segment_hours AS h (workspace_id, segment, hour, entries, exits)
      SELECT r.v->>0, r.v->>1, (r.v->>2)::int8, (r.v->>3)::int8, (r.v->>4)::int8
      FROM json_array_elements($1::json) AS r (v)
      ON CONFLICT (workspace_id, segment, hour) DO UPDATE
      SET entries = h.entries + excluded.entries, exits = h.exits + excluded.exits`,
    /** $1 workspace, $2 segment, $3 from. */
    hours: `SELECT segment, hour, entries, exits FROM ${s}.segment_hours
      WHERE workspace_id = $1 AND segment = $2 AND hour >= $3 ORDER BY hour`,
    /** $1 workspace, $2 segment, $3 limit. */
    moves: `SELECT profile_id, seq, body FROM ${s}.derived_events
      WHERE workspace_id = $1 AND segment = $2 ORDER BY seq DESC, ord DESC LIMIT $3`,
    /** $1 workspace, $2 the profile ids, $3 the hour; run before their memberships are deleted. */
    eraseExits: `INSERT INTO ${s}.segment_hours AS h (workspace_id, segment, hour, entries, exits)
      SELECT workspace_id, segment, $3::int8, 0, count(*) FROM ${s}.segment_members
      WHERE workspace_id = $1 AND profile_id = ANY($2::text[]) GROUP BY workspace_id, segment
      ON CONFLICT (workspace_id, segment, hour) DO UPDATE SET exits = h.exits + excluded.exits`,
    /** $1 workspace, $2 version, $3 definition, $4 text, $5 origin, $6 key id, $7 at, $8 restored from. */
    keepVersion: `INSERT INTO ${s}.workspace_versions
        (workspace_id, version, definition, text, origin, key_id, at, restored_from)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
      ON CONFLICT (workspace_id, version) DO UPDATE SET definition = excluded.definition, text = excluded.text,
        origin = excluded.origin, key_id = excluded.key_id, at = excluded.at, restored_from = excluded.restored_from`,
    /** $1 workspace, $2 before, $3 limit. */
    versions: `SELECT * FROM ${s}.workspace_versions WHERE workspace_id = $1 AND version < $2
      ORDER BY version DESC LIMIT $3`,
    /** $1 workspace, $2 version. */
    version: `SELECT * FROM ${s}.workspace_versions WHERE workspace_id = $1 AND version = $2`,
  };
}
