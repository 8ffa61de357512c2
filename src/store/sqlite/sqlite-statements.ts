import type { Database } from 'better-sqlite3';
import type { SendStatus } from '../../activate/send-record.ts';
import type { ApiKeyRow } from '../api-key-rows.ts';
import type { KeyKind } from '../ports/key-store.ts';
import type { SendRow, TimelineRow, TriggerCountRow } from '../stored-rows.ts';

/**
 * A stored profile: MessagePack bytes (`encodeProfile`), or JSON text in rows written before
 * profiles were stored as bytes; both read back the same (`storedProfile`).
 */
export type ProfileColumn = Uint8Array | string;

/** The columns of a key as `keyFromRow` reads them. */
const KEY_COLUMNS = 'id, workspace_id, kind, source, name, hint, created_at, last_used_at, revoked_at';

/** A stored event row; `body` is the `TailorEvent` as JSON. */
export interface EventRow {
  seq: number;
  workspace_id: string;
  body: string;
}

/** Named parameters of the timeline statement: one profile, seqs in `[from, before)`. */
interface TimelineRange {
  ws: string;
  profile: string;
  before: number;
  from: number;
  limit: number;
}

/** A stored merge row; `identifiers` is a JSON array of `type:value` keys. */
export interface MergeRow {
  workspace_id: string;
  from_id: string;
  into_id: string;
  message_id: string;
  seq: number;
  identifiers: string;
  at: number;
}

/** A stored workspace row; `definition` is the `WorkspaceDefinition` as JSON. */
export interface WorkspaceRow {
  id: string;
  definition: string;
  version: number;
  view_version: number;
}

/** A stored audit row; `detail` is JSON. */
export interface AuditRow {
  workspace_id: string;
  action: string;
  detail: string;
  at: number;
}

/** Named parameters shared by statements scoped to one workspace and a JSON array of ids or keys. */
interface WorkspaceList {
  ws: string;
  list: string;
}

/** Named parameters of the statements that move everything pointing at a merged id to its survivor. */
interface Repoint {
  ws: string;
  from: string;
  into: string;
}

/** Named parameters of the statement writing an attempt's outcome to a send. */
interface SendOutcomeRow {
  ws: string;
  id: string;
  status: SendStatus;
  next: number | null;
  error: string | null;
  provider: string | null;
  at: number;
}

/** Named parameters of holding sends in doubt for a confirmation: `list` is a JSON array of [workspace, channel]. */
interface AwaitRelease {
  list: string;
  until: number;
  reason: string;
  at: number;
}

/** Named parameters of counting a workspace's sends by trigger: those in `[prefix, upper)` that start with `prefix`. */
interface TriggerRange {
  ws: string;
  prefix: string;
  upper: string | null;
}

/** Named parameters of a page of a workspace's sends, newest first, before a cursor. */
interface LatestSendsPage {
  ws: string;
  trigger: string;
  after: string;
  limit: number;
}

interface SendsPage {
  ws: string;
  status: SendStatus | null;
  created: number;
  id: string;
  limit: number;
}

/**
 * Prepares every statement the SQLite store runs, once per connection. Lists of ids or keys
 * are bound as one JSON array and expanded with `json_each`, so a statement serves any length.
 * Internal to the SQLite store: left out of the published declarations, whose statement types
 * better-sqlite3's own declarations cannot name.
 * @internal
 */
export function prepareStatements(db: Database) {
  const inList = 'SELECT value FROM json_each(@list)';
  return {
    insertEvent: db.prepare<[string, string, number, string]>(
      'INSERT OR IGNORE INTO events (workspace_id, message_id, timestamp, body) VALUES (?, ?, ?, ?)',
    ),
    readEvents: db.prepare<[number, number], EventRow>(
      'SELECT seq, workspace_id, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
    ),
    readWorkspaceEvents: db.prepare<[string, number, number], EventRow>(
      'SELECT seq, workspace_id, body FROM events WHERE workspace_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    ),
    readEventsById: db.prepare<WorkspaceList, EventRow>(
      `SELECT seq, workspace_id, body FROM events WHERE workspace_id = @ws AND message_id IN (${inList}) ORDER BY seq`,
    ),
    lastSeq: db.prepare<[], { seq: number }>('SELECT coalesce(max(seq), 0) AS seq FROM events'),

    findProfileIds: db.prepare<WorkspaceList, { key: string; profile_id: string }>(
      `SELECT key, profile_id FROM identifiers WHERE workspace_id = @ws AND key IN (${inList})`,
    ),
    loadProfiles: db.prepare<WorkspaceList, { state: ProfileColumn }>(
      `SELECT state FROM profiles WHERE workspace_id = @ws AND id IN (
         SELECT coalesce(a.into_id, j.value) FROM json_each(@list) j
         LEFT JOIN aliases a ON a.workspace_id = @ws AND a.from_id = j.value)`,
    ),
    alias: db.prepare<[string, string], { into_id: string }>(
      'SELECT into_id FROM aliases WHERE workspace_id = ? AND from_id = ?',
    ),
    aliasesInto: db.prepare<[string, string], { from_id: string }>(
      'SELECT from_id FROM aliases WHERE workspace_id = ? AND into_id = ?',
    ),
    profileExists: db.prepare<[string, string], { found: number }>(
      'SELECT 1 AS found FROM profiles WHERE workspace_id = ? AND id = ?',
    ),
    countProfiles: db.prepare<[string], { count: number }>(
      'SELECT count(*) AS count FROM profiles WHERE workspace_id = ?',
    ),
    scanProfiles: db.prepare<[string, string, number], { state: ProfileColumn }>(
      'SELECT state FROM profiles WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?',
    ),
    dueProfiles: db.prepare<[string, number, number, string, number], { id: string; due: number }>(
      'SELECT id, due FROM profiles WHERE workspace_id = ? AND due <= ? AND (due, id) > (?, ?) ORDER BY due, id LIMIT ?',
    ),
    segmentMembers: db.prepare<[string, string, string, number], { profile_id: string; entered_at: number }>(
      `SELECT profile_id, entered_at FROM segment_members
       WHERE workspace_id = ? AND segment = ? AND profile_id > ? ORDER BY profile_id LIMIT ?`,
    ),
    segmentSize: db.prepare<[string, string], { count: number }>(
      'SELECT count(*) AS count FROM segment_members WHERE workspace_id = ? AND segment = ?',
    ),

    upsertProfile: db.prepare<[string, string, Uint8Array, number | null]>(
      `INSERT INTO profiles (workspace_id, id, state, due) VALUES (?, ?, ?, ?)
       ON CONFLICT (workspace_id, id) DO UPDATE SET state = excluded.state, due = excluded.due`,
    ),
    deleteProfile: db.prepare<[string, string]>('DELETE FROM profiles WHERE workspace_id = ? AND id = ?'),
    upsertIdentifier: db.prepare<[string, string, string]>(
      `INSERT INTO identifiers (workspace_id, key, profile_id) VALUES (?, ?, ?)
       ON CONFLICT (workspace_id, key) DO UPDATE SET profile_id = excluded.profile_id`,
    ),
    insertMerge: db.prepare<[MergeRow]>(
      `INSERT OR REPLACE INTO merges (workspace_id, from_id, into_id, message_id, seq, identifiers, at)
       VALUES (@workspace_id, @from_id, @into_id, @message_id, @seq, @identifiers, @at)`,
    ),
    insertAlias: db.prepare<[Repoint]>(
      'INSERT OR REPLACE INTO aliases (workspace_id, from_id, into_id) VALUES (@ws, @from, @into)',
    ),
    repointAliases: db.prepare<[Repoint]>(
      'UPDATE aliases SET into_id = @into WHERE workspace_id = @ws AND into_id = @from',
    ),
    repointIdentifiers: db.prepare<[Repoint]>(
      'UPDATE identifiers SET profile_id = @into WHERE workspace_id = @ws AND profile_id = @from',
    ),
    repointLinks: db.prepare<[Repoint]>(
      'UPDATE event_links SET profile_id = @into WHERE workspace_id = @ws AND profile_id = @from',
    ),
    insertLink: db.prepare<[string, number, string]>(
      'INSERT OR REPLACE INTO event_links (workspace_id, seq, profile_id) VALUES (?, ?, ?)',
    ),
    upsertDerived: db.prepare<[string, string, number, number, string, string | null]>(
      'INSERT OR REPLACE INTO derived_events (workspace_id, profile_id, seq, ord, body, segment) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    deleteMemberships: db.prepare<[string, string]>(
      'DELETE FROM segment_members INDEXED BY segment_members_by_profile WHERE workspace_id = ? AND profile_id = ?',
    ),
    insertMember: db.prepare<[string, string, string, number]>(
      'INSERT OR REPLACE INTO segment_members (workspace_id, segment, profile_id, entered_at) VALUES (?, ?, ?, ?)',
    ),
    raiseCheckpoint: db.prepare<[number]>(
      `INSERT INTO view_state (id, checkpoint) VALUES (1, ?)
       ON CONFLICT (id) DO UPDATE SET checkpoint = max(checkpoint, excluded.checkpoint)`,
    ),
    checkpoint: db.prepare<[], { checkpoint: number }>('SELECT checkpoint FROM view_state WHERE id = 1'),
    clearView: [
      'profiles',
      'identifiers',
      'merges',
      'aliases',
      'event_links',
      'derived_events',
      'segment_members',
      'segment_hours',
      'learning_states',
    ].map((table) => db.prepare<[string]>(`DELETE FROM ${table} WHERE workspace_id = ?`)),

    // Links were repointed to the survivor on merge; derived events stay under the id they were
    // derived for and are found through the aliases into the profile. Each side is limited
    // first, so the links are read newest first off their index instead of sorted whole.
    timeline: db.prepare<TimelineRange, TimelineRow>(
      `SELECT seq, workspace_id, body FROM (
         SELECT * FROM (
           SELECT e.seq, e.workspace_id, e.body, 1 AS linked, 0 AS ord FROM event_links l
           JOIN events e ON e.seq = l.seq AND e.workspace_id = l.workspace_id
           WHERE l.workspace_id = @ws AND l.profile_id = @profile AND l.seq < @before AND l.seq >= @from
           ORDER BY l.seq DESC LIMIT @limit)
         UNION ALL
         SELECT * FROM (
           SELECT d.seq, d.workspace_id, d.body, 0 AS linked, d.ord FROM derived_events d
           WHERE d.workspace_id = @ws AND d.seq < @before AND d.seq >= @from AND d.profile_id IN (
             SELECT @profile UNION ALL
             SELECT from_id FROM aliases WHERE workspace_id = @ws AND into_id = @profile)
           ORDER BY d.seq DESC, d.ord DESC LIMIT @limit))
       ORDER BY seq DESC, linked, ord DESC LIMIT @limit`,
    ),
    mergeHistory: db.prepare<[string, string], MergeRow>(
      `SELECT m.* FROM aliases a
       JOIN merges m ON m.workspace_id = a.workspace_id AND m.from_id = a.from_id
       WHERE a.workspace_id = ? AND a.into_id = ? ORDER BY m.seq, m.from_id`,
    ),
    eraseEvents: db.prepare<WorkspaceList>(
      `DELETE FROM events WHERE workspace_id = @ws AND seq IN (
         SELECT seq FROM event_links WHERE workspace_id = @ws AND profile_id IN (${inList}))`,
    ),
    eraseView: [
      `DELETE FROM event_links WHERE workspace_id = @ws AND profile_id IN (${inList})`,
      `DELETE FROM derived_events WHERE workspace_id = @ws AND profile_id IN (${inList})`,
      `DELETE FROM segment_members INDEXED BY segment_members_by_profile WHERE workspace_id = @ws AND profile_id IN (${inList})`,
      `DELETE FROM identifiers WHERE workspace_id = @ws AND profile_id IN (${inList})`,
      `DELETE FROM merges WHERE workspace_id = @ws AND (from_id IN (${inList}) OR into_id IN (${inList}))`,
      `DELETE FROM aliases WHERE workspace_id = @ws AND (from_id IN (${inList}) OR into_id IN (${inList}))`,
      `DELETE FROM profiles WHERE workspace_id = @ws AND id IN (${inList})`,
    ].map((sql) => db.prepare<WorkspaceList>(sql)),
    insertAudit: db.prepare<[AuditRow]>(
      'INSERT INTO audit (workspace_id, action, detail, at) VALUES (@workspace_id, @action, @detail, @at)',
    ),
    auditLog: db.prepare<[string, number], AuditRow>(
      'SELECT workspace_id, action, detail, at FROM audit WHERE workspace_id = ? ORDER BY id DESC LIMIT ?',
    ),

    eraseSends: db.prepare<WorkspaceList>(
      `DELETE FROM sends WHERE workspace_id = @ws AND profile_id IN (${inList})`,
    ),

    insertSend: db.prepare<[SendRow]>(
      `INSERT INTO sends (workspace_id, id, profile_id, channel, recipient, content, action, decision_id,
         status, attempts, next_attempt_at, last_error, provider_message_id, created_at, updated_at, "trigger",
         called_at)
       VALUES (@workspace_id, @id, @profile_id, @channel, @recipient, @content, @action, @decision_id,
         @status, @attempts, @next_attempt_at, @last_error, @provider_message_id, @created_at, @updated_at,
         @trigger, @called_at)
       ON CONFLICT (workspace_id, id) DO NOTHING`,
    ),
    dueSends: db.prepare<[number, number], { workspace_id: string; id: string }>(
      `SELECT workspace_id, id FROM sends WHERE status = 'pending' AND next_attempt_at <= ?
       ORDER BY next_attempt_at, workspace_id, id LIMIT ?`,
    ),
    claimSend: db.prepare<[{ at: number; ws: string; id: string }], SendRow>(
      `UPDATE sends SET status = 'sending', attempts = attempts + 1, called_at = @at, updated_at = @at
       WHERE workspace_id = @ws AND id = @id RETURNING *`,
    ),
    markCalled: db.prepare<[number | null, string, string]>(
      `UPDATE sends SET called_at = ? WHERE workspace_id = ? AND id = ? AND status = 'sending'`,
    ),
    finishSend: db.prepare<[SendOutcomeRow]>(
      `UPDATE sends SET status = @status, next_attempt_at = coalesce(@next, next_attempt_at),
         last_error = @error, provider_message_id = @provider, updated_at = @at
       WHERE workspace_id = @ws AND id = @id AND status = 'sending'`,
    ),
    confirmSend: db.prepare<[string, number, string, string], SendRow>(
      `UPDATE sends SET status = 'sent', provider_message_id = ?, last_error = NULL, updated_at = ?
       WHERE workspace_id = ? AND id = ? AND status <> 'sent' RETURNING *`,
    ),
    awaitSending: db.prepare<[AwaitRelease]>(
      `UPDATE sends SET status = 'pending', next_attempt_at = @until, last_error = @reason, updated_at = @at
       WHERE status = 'sending' AND called_at IS NOT NULL AND (workspace_id, channel) IN (
         SELECT value ->> 0, value ->> 1 FROM json_each(@list))`,
    ),
    releaseNeverCalled: db.prepare<[number, number]>(
      `UPDATE sends SET status = 'pending', next_attempt_at = ?, updated_at = ?
       WHERE status = 'sending' AND called_at IS NULL`,
    ),
    releaseSending: db.prepare<[number, number]>(
      `UPDATE sends SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE status = 'sending'`,
    ),
    nextSendDue: db.prepare<[], { due: number | null }>(
      `SELECT min(next_attempt_at) AS due FROM sends WHERE status = 'pending'`,
    ),
    listSends: db.prepare<[SendsPage], SendRow>(
      `SELECT * FROM sends WHERE workspace_id = @ws AND (@status IS NULL OR status = @status)
         AND (created_at, id) < (@created, @id)
       ORDER BY created_at DESC, id DESC LIMIT @limit`,
    ),
    // sends_by_trigger finds the trigger's live sends; the window keeps each profile's latest.
    latestSendsByProfile: db.prepare<[LatestSendsPage], SendRow>(
      `SELECT * FROM (
         SELECT *, row_number() OVER (PARTITION BY profile_id ORDER BY created_at DESC, id DESC) AS latest
         FROM sends WHERE workspace_id = @ws AND "trigger" = @trigger
           AND status IN ('pending', 'sending', 'sent') AND profile_id > @after
       ) WHERE latest = 1 ORDER BY profile_id LIMIT @limit`,
    ),
    getSend: db.prepare<[string, string], SendRow>('SELECT * FROM sends WHERE workspace_id = ? AND id = ?'),
    // The range on "trigger" walks sends_by_trigger; the substr test is the prefix match itself.
    triggerCounts: db.prepare<[TriggerRange], TriggerCountRow>(
      `SELECT "trigger" AS "trigger", status, count(*) AS count FROM sends
       WHERE workspace_id = @ws AND "trigger" >= @prefix AND "trigger" < @upper
         AND substr("trigger", 1, length(@prefix)) = @prefix
       GROUP BY "trigger", status ORDER BY "trigger", status`,
    ),
    failedCountsByReason: db.prepare<[TriggerRange & { reason: string }], { trigger: string; count: number }>(
      `SELECT "trigger" AS "trigger", count(*) AS count FROM sends
       WHERE workspace_id = @ws AND "trigger" >= @prefix AND (@upper IS NULL OR "trigger" < @upper)
         AND substr("trigger", 1, length(@prefix)) = @prefix AND status = 'failed'
         AND substr(last_error, 1, length(@reason)) = @reason
       GROUP BY "trigger" ORDER BY "trigger"`,
    ),
    triggerCountsFrom: db.prepare<[Omit<TriggerRange, 'upper'>], TriggerCountRow>(
      `SELECT "trigger" AS "trigger", status, count(*) AS count FROM sends
       WHERE workspace_id = @ws AND "trigger" >= @prefix AND substr("trigger", 1, length(@prefix)) = @prefix
       GROUP BY "trigger", status ORDER BY "trigger", status`,
    ),
    redriveSend: db.prepare<[number, number, string, string]>(
      `UPDATE sends SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?
       WHERE workspace_id = ? AND id = ? AND status IN ('dead', 'failed')`,
    ),

    getWorkspace: db.prepare<[string], WorkspaceRow>(
      'SELECT id, definition, version, view_version FROM workspaces WHERE id = ?',
    ),
    listWorkspaces: db.prepare<[], WorkspaceRow>(
      'SELECT id, definition, version, view_version FROM workspaces ORDER BY id',
    ),
    putWorkspace: db.prepare<[{ id: string; definition: string; version: number }]>(
      `INSERT INTO workspaces (id, definition, version) VALUES (@id, @definition, @version)
       ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, version = excluded.version`,
    ),
    setViewVersion: db.prepare<[number, string]>('UPDATE workspaces SET view_version = ? WHERE id = ?'),
    addKey: db.prepare<
      [
        {
          hash: string;
          workspaceId: string;
          kind: KeyKind;
          id: string;
          source: string;
          name: string | null;
          hint: string;
          createdAt: number;
        },
      ]
    >(
      `INSERT OR IGNORE INTO api_keys (hash, workspace_id, kind, id, source, name, hint, created_at)
       VALUES (@hash, @workspaceId, @kind, @id, @source, @name, @hint, @createdAt)`,
    ),
    keyByHash: db.prepare<[string], ApiKeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE hash = ?`),
    keyById: db.prepare<[string, string], ApiKeyRow>(
      `SELECT ${KEY_COLUMNS} FROM api_keys WHERE workspace_id = ? AND id = ?`,
    ),
    findKey: db.prepare<[string], { id: string; workspace_id: string; kind: KeyKind }>(
      'SELECT id, workspace_id, kind FROM api_keys WHERE hash = ? AND revoked_at IS NULL',
    ),
    listKeys: db.prepare<[string], ApiKeyRow>(
      `SELECT ${KEY_COLUMNS} FROM api_keys WHERE workspace_id = ? ORDER BY created_at, id`,
    ),
    activeAdminKeys: db.prepare<[string], { count: number }>(
      "SELECT count(*) AS count FROM api_keys WHERE workspace_id = ? AND kind = 'admin' AND revoked_at IS NULL",
    ),
    revokeKey: db.prepare<[number, string, string]>(
      'UPDATE api_keys SET revoked_at = ? WHERE workspace_id = ? AND id = ? AND revoked_at IS NULL',
    ),
    touchKey: db.prepare<[number, string, number]>(
      'UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)',
    ),
  };
}

/** The prepared statements of one SQLite connection. */
/** @internal */
export type SqliteStatements = ReturnType<typeof prepareStatements>;
