/**
 * The exposure log's table in schema `s` (quoted): as the SQLite one (`SQLITE_EXPOSURES_TABLE`),
 * one row per placement shown by a decision, unique by (workspace, decision messageId,
 * placement), ordered by `seq`, indexed by profile, by placement and by user and anonymous id.
 */
export function postgresExposuresTable(s: string): string {
  return `
CREATE TABLE IF NOT EXISTS ${s}.exposures (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  profile_id TEXT,
  user_id TEXT,
  anonymous_id TEXT,
  placement TEXT NOT NULL,
  variant TEXT NOT NULL,
  message_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  UNIQUE (workspace_id, message_id, placement)
);
CREATE INDEX IF NOT EXISTS exposures_by_profile ON ${s}.exposures (workspace_id, profile_id, seq);
CREATE INDEX IF NOT EXISTS exposures_by_placement ON ${s}.exposures (workspace_id, placement, seq);
CREATE INDEX IF NOT EXISTS exposures_by_user ON ${s}.exposures (workspace_id, user_id, seq)
  WHERE user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS exposures_by_anonymous ON ${s}.exposures (workspace_id, anonymous_id, seq)
  WHERE anonymous_id IS NOT NULL;
`;
}

/**
 * The exposures of the profiles `ids` (an SQL expression of a text array) in workspace `$1`:
 * recorded under one of the ids, or under a user or anonymous id one of them holds.
 */
function ofProfiles(s: string, ids: string): string {
  const keys = (type: string) =>
    `SELECT substr(key, ${type.length + 2}) FROM ${s}.identifiers
     WHERE workspace_id = $1 AND profile_id = ANY(${ids}) AND left(key, ${type.length + 1}) = '${type}:'`;
  return `workspace_id = $1 AND (profile_id = ANY(${ids})
    OR (user_id IS NOT NULL AND user_id IN (${keys('user_id')}))
    OR (anonymous_id IS NOT NULL AND anonymous_id IN (${keys('anonymous_id')})))`;
}

/** The exposure log's statements, over schema `s` (quoted). */
export function postgresExposureQueries(s: string) {
  const profiles = `ARRAY(SELECT $2::text UNION ALL SELECT from_id FROM ${s}.aliases WHERE workspace_id = $1 AND into_id = $2)`;
  return {
    /** Rows bound as one JSON array of arrays in `EXPOSURE_COLUMNS` order. */
    insert: `INSERT INTO ${s}.exposures (workspace_id, profile_id, user_id, anonymous_id, placement, variant,
        message_id, at)
      SELECT r.v->>0, r.v->>1, r.v->>2, r.v->>3, r.v->>4, r.v->>5, r.v->>6, (r.v->>7)::int8
      FROM json_array_elements($1::json) WITH ORDINALITY AS r (v, n) ORDER BY r.n
      ON CONFLICT (workspace_id, message_id, placement) DO NOTHING`,
    /** $1 workspace, $2 profile, $3 before, $4 limit. */
    byProfile: `SELECT * FROM ${s}.exposures WHERE ${ofProfiles(s, profiles)}
      AND seq < $3 ORDER BY seq DESC LIMIT $4`,
    /** $1 workspace, $2 placement, $3 before, $4 limit. */
    byPlacement: `SELECT * FROM ${s}.exposures WHERE workspace_id = $1 AND placement = $2 AND seq < $3
      ORDER BY seq DESC LIMIT $4`,
    /** $1 workspace, $2 the profile ids; run before their identifiers are deleted. */
    erase: `DELETE FROM ${s}.exposures WHERE ${ofProfiles(s, '$2::text[]')}`,
  };
}
