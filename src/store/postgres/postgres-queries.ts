/**
 * A FROM item over rows bound as `$1`, one JSON array of arrays (`[["ws", "id", …], …]`),
 * with each position named and typed, plus `n`, the row's position in the batch. Large texts
 * travel as JSON several times faster than as `text[]` (pg's array encoding and PostgreSQL's
 * array parsing dominate a commit of thousands of profiles); `->>` gives each text back
 * byte for byte.
 */
function jsonRows(alias: string, fields: [name: string, type: 'text' | 'int8'][]): string {
  const select = fields.map(([name, type], index) => `(r.v->>${index})::${type} AS ${name}`).join(', ');
  return `(SELECT ${select}, r.n FROM json_array_elements($1::json) WITH ORDINALITY AS r (v, n)) AS ${alias}`;
}

/**
 * Every statement the PostgreSQL store runs, with table names qualified by `schema` (a
 * validated identifier). Batches are bound as one JSON parameter (see `jsonRows`), so one
 * statement writes thousands of rows in one round trip.
 */
export function postgresQueries(schema: string) {
  const s = `"${schema}"`;
  const keyColumns = 'id, workspace_id, kind, source, name, hint, created_at, last_used_at, revoked_at';
  const clearView = [
    'profiles',
    'identifiers',
    'merges',
    'aliases',
    'event_links',
    'derived_events',
    'segment_members',
    'segment_hours',
    'learning_states',
  ].map((table) => `DELETE FROM ${s}.${table} WHERE workspace_id = $1`);
  const byProfile = jsonRows('d', [
    ['ws', 'text'],
    ['id', 'text'],
  ]);
  return {
    migrateLock: `SELECT pg_advisory_xact_lock(hashtext('tailor.migrate:' || $1::text))`,
    // EXCLUSIVE lets readers through but queues other appenders until this commit: seqs are
    // then handed out in commit order, so a reader that has seen seq N never misses a smaller one.
    lockLog: `LOCK TABLE ${s}.events IN EXCLUSIVE MODE`,
    appendEvents: `INSERT INTO ${s}.events (workspace_id, message_id, timestamp, body)
      SELECT ws, mid, ts, body FROM ${jsonRows('t', [
        ['ws', 'text'],
        ['mid', 'text'],
        ['ts', 'int8'],
        ['body', 'text'],
      ])}
      ORDER BY n
      ON CONFLICT (workspace_id, message_id) DO NOTHING
      RETURNING seq, workspace_id, message_id`,
    readEvents: `SELECT seq, workspace_id, body FROM ${s}.events WHERE seq > $1 ORDER BY seq LIMIT $2`,
    readWorkspaceEvents: `SELECT seq, workspace_id, body FROM ${s}.events
      WHERE workspace_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    readEventsById: `SELECT seq, workspace_id, body FROM ${s}.events
      WHERE workspace_id = $1 AND message_id = ANY($2::text[]) ORDER BY seq`,
    lastSeq: `SELECT coalesce(max(seq), 0) AS seq FROM ${s}.events`,

    findProfileIds: `SELECT key, profile_id FROM ${s}.identifiers WHERE workspace_id = $1 AND key = ANY($2::text[])`,
    loadProfiles: `SELECT state FROM ${s}.profiles WHERE workspace_id = $1 AND id IN (
        SELECT coalesce(a.into_id, j.id) FROM unnest($2::text[]) AS j (id)
        LEFT JOIN ${s}.aliases a ON a.workspace_id = $1 AND a.from_id = j.id)`,
    resolveProfileId: `SELECT id FROM ${s}.profiles WHERE workspace_id = $1 AND id = coalesce(
        (SELECT into_id FROM ${s}.aliases WHERE workspace_id = $1 AND from_id = $2), $2)`,
    countProfiles: `SELECT count(*) AS count FROM ${s}.profiles WHERE workspace_id = $1`,
    // Id order is the column's collation, so the primary key serves the page (codepoint order,
    // as SQLite's, under the C and C.UTF-8 collations).
    scanProfiles: `SELECT state FROM ${s}.profiles WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
    dueProfiles: `SELECT id, due FROM ${s}.profiles
      WHERE workspace_id = $1 AND due <= $2 AND (due, id) > ($3, $4) ORDER BY due, id LIMIT $5`,
    segmentMembers: `SELECT profile_id, entered_at FROM ${s}.segment_members
      WHERE workspace_id = $1 AND segment = $2 AND profile_id > $3 ORDER BY profile_id LIMIT $4`,
    segmentSize: `SELECT count(*) AS count FROM ${s}.segment_members WHERE workspace_id = $1 AND segment = $2`,

    clearView,
    /** $1 workspace, $2 seq, $3 state. */
    upsertLearningState: `INSERT INTO ${s}.learning_states (workspace_id, seq, state) VALUES ($1, $2, $3)
      ON CONFLICT (workspace_id) DO UPDATE SET seq = excluded.seq, state = excluded.state`,
    learningStates: `SELECT workspace_id, seq, state FROM ${s}.learning_states ORDER BY workspace_id`,
    setViewVersion: `UPDATE ${s}.workspaces SET view_version = $1 WHERE id = $2`,
    upsertProfiles: `INSERT INTO ${s}.profiles (workspace_id, id, state, due)
      SELECT ws, id, state, due FROM ${jsonRows('t', [
        ['ws', 'text'],
        ['id', 'text'],
        ['state', 'text'],
        ['due', 'int8'],
      ])}
      ON CONFLICT (workspace_id, id) DO UPDATE SET state = excluded.state, due = excluded.due`,
    deleteProfiles: `DELETE FROM ${s}.profiles p USING ${byProfile}
      WHERE p.workspace_id = d.ws AND p.id = d.id`,
    deleteMemberships: `DELETE FROM ${s}.segment_members m USING ${byProfile}
      WHERE m.workspace_id = d.ws AND m.profile_id = d.id`,
    insertMembers: `INSERT INTO ${s}.segment_members (workspace_id, segment, profile_id, entered_at)
      SELECT ws, segment, profile_id, entered_at FROM ${jsonRows('t', [
        ['ws', 'text'],
        ['segment', 'text'],
        ['profile_id', 'text'],
        ['entered_at', 'int8'],
      ])}
      ON CONFLICT (workspace_id, segment, profile_id) DO UPDATE SET entered_at = excluded.entered_at`,
    upsertDerived: `INSERT INTO ${s}.derived_events (workspace_id, profile_id, seq, ord, body, segment)
      SELECT ws, profile_id, seq, ord, body, segment FROM ${jsonRows('t', [
        ['ws', 'text'],
        ['profile_id', 'text'],
        ['seq', 'int8'],
        ['ord', 'int8'],
        ['body', 'text'],
        ['segment', 'text'],
      ])}
      ON CONFLICT (workspace_id, profile_id, seq, ord) DO UPDATE SET body = excluded.body, segment = excluded.segment`,
    upsertIdentifiers: `INSERT INTO ${s}.identifiers (workspace_id, key, profile_id)
      SELECT ws, key, profile_id FROM ${jsonRows('t', [
        ['ws', 'text'],
        ['key', 'text'],
        ['profile_id', 'text'],
      ])}
      ON CONFLICT (workspace_id, key) DO UPDATE SET profile_id = excluded.profile_id`,
    upsertLinks: `INSERT INTO ${s}.event_links (workspace_id, seq, profile_id)
      SELECT ws, seq, profile_id FROM ${jsonRows('t', [
        ['ws', 'text'],
        ['seq', 'int8'],
        ['profile_id', 'text'],
      ])}
      ON CONFLICT (seq) DO UPDATE SET workspace_id = excluded.workspace_id, profile_id = excluded.profile_id`,
    upsertMerges: `INSERT INTO ${s}.merges (workspace_id, from_id, into_id, message_id, seq, identifiers, at)
      SELECT ws, from_id, into_id, message_id, seq, identifiers, at FROM ${jsonRows('t', [
        ['ws', 'text'],
        ['from_id', 'text'],
        ['into_id', 'text'],
        ['message_id', 'text'],
        ['seq', 'int8'],
        ['identifiers', 'text'],
        ['at', 'int8'],
      ])}
      ON CONFLICT (workspace_id, from_id) DO UPDATE SET into_id = excluded.into_id,
        message_id = excluded.message_id, seq = excluded.seq, identifiers = excluded.identifiers, at = excluded.at`,
    aliasesTouching: `SELECT a.workspace_id, a.from_id, a.into_id
      FROM ${jsonRows('q', [
        ['ws', 'text'],
        ['id', 'text'],
      ])}
      JOIN ${s}.aliases a ON a.workspace_id = q.ws AND a.from_id = q.id
      UNION
      SELECT a.workspace_id, a.from_id, a.into_id
      FROM ${jsonRows('q', [
        ['ws', 'text'],
        ['id', 'text'],
      ])}
      JOIN ${s}.aliases a ON a.workspace_id = q.ws AND a.into_id = q.id`,
    upsertAliases: `INSERT INTO ${s}.aliases (workspace_id, from_id, into_id)
      SELECT ws, from_id, into_id FROM ${jsonRows('t', [
        ['ws', 'text'],
        ['from_id', 'text'],
        ['into_id', 'text'],
      ])}
      ON CONFLICT (workspace_id, from_id) DO UPDATE SET into_id = excluded.into_id`,
    repoint: ['identifiers', 'event_links'].map(
      (table) => `UPDATE ${s}.${table} t SET profile_id = m.into_id
        FROM ${jsonRows('m', [
          ['ws', 'text'],
          ['from_id', 'text'],
          ['into_id', 'text'],
        ])}
        WHERE t.workspace_id = m.ws AND t.profile_id = m.from_id`,
    ),
    raiseCheckpoint: `INSERT INTO ${s}.view_state (id, checkpoint) VALUES (1, $1)
      ON CONFLICT (id) DO UPDATE SET checkpoint = greatest(view_state.checkpoint, excluded.checkpoint)`,
    checkpoint: `SELECT checkpoint FROM ${s}.view_state WHERE id = 1`,

    // Links were repointed to the survivor on merge; derived events stay under the id they were
    // derived for and are found through the aliases into the profile. Seqs in [$4, $3); each
    // side is limited first, so the links are read newest first off their index.
    timeline: `SELECT seq, workspace_id, body FROM (
        (SELECT e.seq, e.workspace_id, e.body, 1 AS linked, 0 AS ord FROM ${s}.event_links l
        JOIN ${s}.events e ON e.seq = l.seq AND e.workspace_id = l.workspace_id
        WHERE l.workspace_id = $1 AND l.profile_id = $2 AND l.seq < $3 AND l.seq >= $4
        ORDER BY l.seq DESC LIMIT $5)
        UNION ALL
        (SELECT d.seq, d.workspace_id, d.body, 0 AS linked, d.ord FROM ${s}.derived_events d
        WHERE d.workspace_id = $1 AND d.seq < $3 AND d.seq >= $4 AND d.profile_id IN (
          SELECT $2::text UNION ALL
          SELECT from_id FROM ${s}.aliases WHERE workspace_id = $1 AND into_id = $2)
        ORDER BY d.seq DESC, d.ord DESC LIMIT $5)) AS t
      ORDER BY seq DESC, linked, ord DESC LIMIT $5`,
    mergeHistory: `SELECT m.* FROM ${s}.aliases a
      JOIN ${s}.merges m ON m.workspace_id = a.workspace_id AND m.from_id = a.from_id
      WHERE a.workspace_id = $1 AND a.into_id = $2 ORDER BY m.seq, m.from_id COLLATE "C"`,
    aliasesInto: `SELECT from_id FROM ${s}.aliases WHERE workspace_id = $1 AND into_id = $2`,
    eraseEvents: `DELETE FROM ${s}.events WHERE workspace_id = $1 AND seq IN (
        SELECT seq FROM ${s}.event_links WHERE workspace_id = $1 AND profile_id = ANY($2::text[]))`,
    eraseView: [
      `DELETE FROM ${s}.event_links WHERE workspace_id = $1 AND profile_id = ANY($2::text[])`,
      `DELETE FROM ${s}.derived_events WHERE workspace_id = $1 AND profile_id = ANY($2::text[])`,
      `DELETE FROM ${s}.segment_members WHERE workspace_id = $1 AND profile_id = ANY($2::text[])`,
      `DELETE FROM ${s}.identifiers WHERE workspace_id = $1 AND profile_id = ANY($2::text[])`,
      `DELETE FROM ${s}.merges WHERE workspace_id = $1 AND (from_id = ANY($2::text[]) OR into_id = ANY($2::text[]))`,
      `DELETE FROM ${s}.aliases WHERE workspace_id = $1 AND (from_id = ANY($2::text[]) OR into_id = ANY($2::text[]))`,
      `DELETE FROM ${s}.profiles WHERE workspace_id = $1 AND id = ANY($2::text[])`,
    ],
    eraseSends: `DELETE FROM ${s}.sends WHERE workspace_id = $1 AND profile_id = ANY($2::text[])`,
    // Index cleanup forced: the default may skip it when few pages changed, leaving index
    // entries (an identifier key is a person's email or phone) behind.
    vacuumErased: `VACUUM (INDEX_CLEANUP ON) ${['events', 'event_links', 'derived_events', 'segment_members', 'identifiers', 'merges', 'aliases', 'profiles', 'sends', 'exposures'].map((table) => `${s}.${table}`).join(', ')}`,
    insertAudit: `INSERT INTO ${s}.audit (workspace_id, action, detail, at) VALUES ($1, $2, $3, $4)`,
    auditLog: `SELECT workspace_id, action, detail, at FROM ${s}.audit
      WHERE workspace_id = $1 ORDER BY id DESC LIMIT $2`,

    insertSends: `INSERT INTO ${s}.sends (workspace_id, id, profile_id, channel, recipient, content, action,
        decision_id, status, attempts, next_attempt_at, last_error, provider_message_id, created_at, updated_at,
        "trigger", called_at)
      SELECT ws, id, profile_id, channel, recipient, content, action, decision_id, status, attempts,
        next_attempt_at, last_error, provider_message_id, created_at, updated_at, "trigger", called_at
      FROM ${jsonRows('t', [
        ['ws', 'text'],
        ['id', 'text'],
        ['profile_id', 'text'],
        ['channel', 'text'],
        ['recipient', 'text'],
        ['content', 'text'],
        ['action', 'text'],
        ['decision_id', 'text'],
        ['status', 'text'],
        ['attempts', 'int8'],
        ['next_attempt_at', 'int8'],
        ['last_error', 'text'],
        ['provider_message_id', 'text'],
        ['created_at', 'int8'],
        ['updated_at', 'int8'],
        ['trigger', 'text'],
        ['called_at', 'int8'],
      ])}
      ORDER BY n
      ON CONFLICT (workspace_id, id) DO NOTHING`,
    // One statement: the due rows are locked as they are picked, and rows another claim holds
    // are skipped, so concurrent claims (on any node) never return the same send.
    claimSends: `WITH claimed AS (
        UPDATE ${s}.sends SET status = 'sending', attempts = attempts + 1, called_at = $1, updated_at = $1
        WHERE (workspace_id, id) IN (
          SELECT workspace_id, id FROM ${s}.sends WHERE status = 'pending' AND next_attempt_at <= $1
          ORDER BY next_attempt_at, workspace_id, id LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING *)
      SELECT * FROM claimed ORDER BY next_attempt_at, workspace_id, id`,
    markCalled: `UPDATE ${s}.sends SET called_at = $3
      WHERE (workspace_id, id) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND status = 'sending'`,
    finishSends: `UPDATE ${s}.sends AS t SET status = u.status,
        next_attempt_at = coalesce(u.next_attempt_at, t.next_attempt_at),
        last_error = u.last_error, provider_message_id = u.provider_message_id, updated_at = u.updated_at
      FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::bigint[])
        AS u(workspace_id, id, status, next_attempt_at, last_error, provider_message_id, updated_at)
      WHERE t.workspace_id = u.workspace_id AND t.id = u.id AND t.status = 'sending'`,
    confirmSend: `UPDATE ${s}.sends SET status = 'sent', provider_message_id = $3, last_error = NULL, updated_at = $4
      WHERE workspace_id = $1 AND id = $2 AND status <> 'sent' RETURNING *`,
    awaitSending: `UPDATE ${s}.sends SET status = 'pending', next_attempt_at = $3, last_error = $4, updated_at = $5
      WHERE status = 'sending' AND called_at IS NOT NULL
        AND (workspace_id, channel) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    releaseNeverCalled: `UPDATE ${s}.sends SET status = 'pending', next_attempt_at = $1, updated_at = $1
      WHERE status = 'sending' AND called_at IS NULL`,
    releaseSending: `UPDATE ${s}.sends SET status = 'pending', next_attempt_at = $1, updated_at = $1
      WHERE status = 'sending'`,
    nextSendDue: `SELECT min(next_attempt_at) AS due FROM ${s}.sends WHERE status = 'pending'`,
    listSends: `SELECT * FROM ${s}.sends
      WHERE workspace_id = $1 AND ($2::text IS NULL OR status = $2) AND (created_at, id) < ($3, $4)
      ORDER BY created_at DESC, id DESC LIMIT $5`,
    getSend: `SELECT * FROM ${s}.sends WHERE workspace_id = $1 AND id = $2`,
    // sends_by_trigger finds the trigger's live sends; DISTINCT ON keeps each profile's latest.
    latestSendsByProfile: `SELECT * FROM (
        SELECT DISTINCT ON (profile_id COLLATE "C") * FROM ${s}.sends
        WHERE workspace_id = $1 AND "trigger" = $2 AND status IN ('pending', 'sending', 'sent')
          AND profile_id COLLATE "C" > $3
        ORDER BY profile_id COLLATE "C", created_at DESC, id DESC
      ) latest ORDER BY profile_id COLLATE "C" LIMIT $4`,
    // The range on "trigger" walks sends_by_trigger ($3 is NULL when the prefix has no upper
    // bound); starts_with is the prefix match itself.
    triggerCounts: `SELECT "trigger", status, count(*) AS count FROM ${s}.sends
      WHERE workspace_id = $1 AND "trigger" >= $2 AND ("trigger" < $3 OR $3 IS NULL)
        AND starts_with("trigger", $2)
      GROUP BY "trigger", status ORDER BY "trigger", status`,
    failedCountsByReason: `SELECT "trigger", count(*) AS count FROM ${s}.sends
      WHERE workspace_id = $1 AND "trigger" >= $2 AND ("trigger" < $3 OR $3 IS NULL)
        AND starts_with("trigger", $2) AND status = 'failed' AND starts_with(last_error, $4)
      GROUP BY "trigger" ORDER BY "trigger"`,
    redriveSend: `UPDATE ${s}.sends SET status = 'pending', attempts = 0, next_attempt_at = $3, updated_at = $3
      WHERE workspace_id = $1 AND id = $2 AND status IN ('dead', 'failed')`,

    getWorkspace: `SELECT id, definition, version, view_version FROM ${s}.workspaces WHERE id = $1`,
    listWorkspaces: `SELECT id, definition, version, view_version FROM ${s}.workspaces ORDER BY id COLLATE "C"`,
    // One statement, so two nodes saving at once still bump the version exactly once per change.
    saveWorkspace: `INSERT INTO ${s}.workspaces (id, definition, version) VALUES ($1, $2, 1)
      ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, version = workspaces.version + 1
      WHERE workspaces.definition IS DISTINCT FROM excluded.definition RETURNING version`,
    addKey: `INSERT INTO ${s}.api_keys (hash, workspace_id, kind, id, source, name, hint, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (hash) DO NOTHING`,
    keyByHash: `SELECT ${keyColumns} FROM ${s}.api_keys WHERE hash = $1`,
    findKey: `SELECT id, workspace_id, kind FROM ${s}.api_keys WHERE hash = $1 AND revoked_at IS NULL`,
    listKeys: `SELECT ${keyColumns} FROM ${s}.api_keys WHERE workspace_id = $1 ORDER BY created_at, id COLLATE "C"`,
    // Locks the workspace's live admin keys, so two revocations at once cannot both pass the
    // last-admin check: the second waits, then sees the first's revocation.
    lockAdminKeys: `SELECT id FROM ${s}.api_keys WHERE workspace_id = $1 AND kind = 'admin' AND revoked_at IS NULL
      ORDER BY id FOR UPDATE`,
    keyById: `SELECT ${keyColumns} FROM ${s}.api_keys WHERE workspace_id = $1 AND id = $2 FOR UPDATE`,
    revokeKey: `UPDATE ${s}.api_keys SET revoked_at = $3 WHERE workspace_id = $1 AND id = $2 AND revoked_at IS NULL`,
    touchKey: `UPDATE ${s}.api_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)`,
  };
}

/** The statements of one PostgreSQL store. */
export type PostgresQueries = ReturnType<typeof postgresQueries>;
