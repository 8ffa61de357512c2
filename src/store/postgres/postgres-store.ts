import pg from 'pg';
import type { SendRecord, SendStatus, SendUpdate } from '../../activate/send-record.ts';
import type { LoggedEvent } from '../../ingest/event.ts';
import type { ProfileState } from '../../profile/profile.ts';
import { hourOf } from '../../time/hour-of.ts';
import type { WorkspaceDefinition } from '../../workspace/workspace.ts';
import { type ApiKeyRow, keyFromRow, keyToInsert } from '../api-key-rows.ts';
import { AppendInDoubtError, isAppendInDoubt } from '../append-in-doubt-error.ts';
import { type ExposureDbRow, exposurePage, exposureValues } from '../exposure-rows.ts';
import {
  movedSegment,
  type SegmentHourRow,
  segmentHourFromRow,
  type VersionRow,
  versionColumns,
  versionFromRow,
} from '../history-rows.ts';
import type { AuditEntry } from '../ports/erasure-store.ts';
import type { AppendOutcome, EventToAppend } from '../ports/event-log.ts';
import type {
  ExposurePage,
  ExposureRow,
  PlacementExposuresQuery,
  ProfileExposuresQuery,
} from '../ports/exposure-log.ts';
import type { ApiKeyRecord, KeyKind, KeyMatch, KeyRevocation, NewApiKey } from '../ports/key-store.ts';
import type {
  AwaitingConfirmation,
  LatestSendsQuery,
  ReasonCount,
  ReleasedSends,
  TriggerSendCount,
} from '../ports/outbox.ts';
import type {
  DueProfile,
  LearningStateRow,
  MembersPage,
  MergeRecord,
  SegmentHour,
  SegmentMove,
  TimelinePage,
  ViewCommit,
} from '../ports/view-store.ts';
import type { StoredWorkspace, VersionSource, WorkspaceVersion } from '../ports/workspace-store.ts';
import type { Store } from '../store.ts';
import { StoreUnavailableError } from '../store-unavailable-error.ts';
import {
  auditFromRow,
  dueOf,
  eventFromRow,
  FIRST_DUE,
  FIRST_SEND,
  fromJson,
  mergeFromRow,
  prefixUpperBound,
  readInt,
  type SendRow,
  sendFromRow,
  sendToRow,
  type TimelineRow,
  type TriggerCountRow,
  timelinePage,
  triggerCountFromRow,
  workspaceFromRow,
} from '../stored-rows.ts';
import { isConnectionError } from './connection-error.ts';
import { postgresExposureQueries } from './postgres-exposures.ts';
import { postgresHistoryQueries } from './postgres-history.ts';
import { type IdPointer, planMerges } from './postgres-merges.ts';
import { type PostgresQueries, postgresQueries } from './postgres-queries.ts';
import { postgresSchema } from './postgres-schema.ts';
import { PostgresWriterLock, type WriterFence } from './postgres-writer-lock.ts';

/** How the PostgreSQL store connects. */
export interface PostgresStoreOptions {
  /** A libpq URL: `postgres://user:pass@host:port/db`. */
  connectionString: string;
  /** The schema holding every table (default `tailor`): lower-case letters, digits and `_`. */
  schema?: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /**
   * How long opening a connection may take before the call fails with STORE_UNAVAILABLE (ms,
   * default 5,000): a database host that is gone may never answer, and a request must not hang.
   */
  connectTimeoutMs?: number;
  /**
   * How long a query may wait for the server's answer before it fails with STORE_UNAVAILABLE
   * and its connection is discarded (ms, default 30,000): a connection whose peer vanished
   * without a reset (a network partition, a host powered off) would otherwise hang forever.
   */
  queryTimeoutMs?: number;
}

/** How long a query may wait for the server by default (ms). */
const DEFAULT_QUERY_TIMEOUT_MS = 30_000;

/** Rows per statement of a batched write: bounds the size of one bound array. */
const BATCH_ROWS = 5_000;

/** The default schema, and the identifiers accepted as one (unquoted, at most 63 bytes). */
const DEFAULT_SCHEMA = 'tailor';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** BIGINT and count(*) columns arrive as strings (pg keeps 64-bit precision): read as numbers. */
type Int8 = string;

interface EventRow {
  seq: Int8;
  workspace_id: string;
  body: string;
}

interface MergeRow {
  workspace_id: string;
  from_id: string;
  into_id: string;
  message_id: string;
  seq: Int8;
  identifiers: string;
  at: Int8;
}

interface WorkspaceRow {
  id: string;
  definition: string;
  version: number;
  view_version: number;
}

interface AuditRow {
  workspace_id: string;
  action: string;
  detail: string;
  at: Int8;
}

interface AliasRow {
  workspace_id: string;
  from_id: string;
  into_id: string;
}

/** The last row for each key, in order of first appearance: one multi-row upsert may touch a row only once. */
function lastByKey<T>(rows: T[], key: (row: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const row of rows) byKey.set(key(row), row);
  return [...byKey.values()];
}

/** Binds rows as the one JSON parameter a batched statement reads (`[[field, …], …]`). */
function jsonRows<T>(rows: T[], fields: ((row: T) => unknown)[]): [string] {
  return [JSON.stringify(rows.map((row) => fields.map((field) => field(row))))];
}

/**
 * The PostgreSQL storage adapter: every table in one PostgreSQL schema, reached through a
 * connection pool. One Tailor writes a schema at a time: `migrate`, or the first write, takes
 * the schema's writer lock (`PostgresWriterLock`), and a second store on the schema fails with
 * `STORE_LOCKED`. Same semantics as the SQLite store; each multi-row write is one transaction,
 * and its rows are bound as one JSON parameter per statement. Nothing connects until the first
 * call; `migrate` creates the schema.
 */
export class PostgresStore implements Store {
  private readonly pool: pg.Pool;
  private readonly schema: string;
  private readonly sql: PostgresQueries;
  private readonly exposureSql: ReturnType<typeof postgresExposureQueries>;
  private readonly historySql: ReturnType<typeof postgresHistoryQueries>;
  private readonly writer: PostgresWriterLock;

  constructor(options: PostgresStoreOptions) {
    const schema = options.schema ?? DEFAULT_SCHEMA;
    if (!SCHEMA_NAME.test(schema)) {
      throw new Error(
        `PostgreSQL schema "${schema}" must be lower-case letters, digits and _, not starting with a digit`,
      );
    }
    this.schema = schema;
    this.sql = postgresQueries(schema);
    this.exposureSql = postgresExposureQueries(`"${schema}"`);
    this.historySql = postgresHistoryQueries(`"${schema}"`);
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      query_timeout: options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
      keepAlive: true,
    });
    // An idle connection the server drops (restart, failover) is discarded by the pool and the
    // next query opens a new one; without a listener the 'error' event would end the process.
    this.pool.on('error', () => undefined);
    this.writer = new PostgresWriterLock({
      connectionString: options.connectionString,
      schema,
      queryTimeoutMs: options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
      readFence: (client) => this.readFence(client),
    });
  }

  /** The log's last seq and the view's checkpoint, or `undefined` before `migrate` created the tables. */
  private async readFence(client: pg.Client): Promise<WriterFence | undefined> {
    const { rows } = await client.query<{ ready: boolean }>(
      `SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AS ready`,
      [`${this.schema}.events`, `${this.schema}.view_state`],
    );
    if (rows[0]?.ready !== true) return undefined;
    const seq = await client.query<{ seq: Int8 }>(this.sql.lastSeq);
    const checkpoint = await client.query<{ checkpoint: Int8 }>(this.sql.checkpoint);
    return {
      seq: readInt(seq.rows[0]?.seq ?? '0'),
      checkpoint: readInt(checkpoint.rows[0]?.checkpoint ?? '0'),
    };
  }

  /**
   * Takes the schema's writer lock (`STORE_LOCKED` when another Tailor holds it), then creates
   * the schema and tables under a transaction advisory lock, so stores starting together do not race.
   */
  async migrate(): Promise<void> {
    await this.writer.take();
    await this.transaction(async (client) => {
      await client.query(this.sql.migrateLock, [this.schema]);
      await client.query(postgresSchema(this.schema));
    });
    await this.writer.rememberCurrent();
  }

  /** Releases the writer lock, then closes the pool. */
  async close(): Promise<void> {
    await this.writer.release();
    if (!this.pool.ended) await this.pool.end();
  }

  /** Stores the definition; the version goes up by one only when the definition differs from the stored one. */
  async saveWorkspace(definition: WorkspaceDefinition, source?: VersionSource): Promise<StoredWorkspace> {
    const text = JSON.stringify(definition);
    await this.transaction(async (client) => {
      const { rows } = await client.query<{ version: number }>(this.sql.saveWorkspace, [definition.id, text]);
      const saved = rows[0];
      if (saved === undefined) return;
      const columns = versionColumns(source, Date.now());
      await client.query(this.historySql.keepVersion, [
        definition.id,
        saved.version,
        text,
        columns.text,
        columns.origin,
        columns.key_id,
        columns.at,
        columns.restored_from,
      ]);
    });
    const saved = await this.getWorkspace(definition.id);
    if (saved === undefined) throw new Error(`workspace ${definition.id} was not saved`);
    return saved;
  }

  async getWorkspace(id: string): Promise<StoredWorkspace | undefined> {
    const { rows } = await this.query<WorkspaceRow>(this.sql.getWorkspace, [id]);
    const row = rows[0];
    return row && workspaceFromRow(row);
  }

  async listWorkspaces(): Promise<StoredWorkspace[]> {
    const { rows } = await this.query<WorkspaceRow>(this.sql.listWorkspaces);
    return rows.map(workspaceFromRow);
  }

  async workspaceVersions(query: {
    workspaceId: string;
    before?: number;
    limit: number;
  }): Promise<WorkspaceVersion[]> {
    const { rows } = await this.query<VersionRow>(this.historySql.versions, [
      query.workspaceId,
      query.before ?? 2 ** 31 - 1,
      query.limit,
    ]);
    return rows.map(versionFromRow);
  }

  async workspaceVersion(workspaceId: string, version: number): Promise<WorkspaceVersion | undefined> {
    const { rows } = await this.query<VersionRow>(this.historySql.version, [workspaceId, version]);
    const row = rows[0];
    return row && versionFromRow(row);
  }

  async addKey(key: NewApiKey): Promise<ApiKeyRecord> {
    const row = keyToInsert(key, Date.now());
    await this.query(this.sql.addKey, [
      row.hash,
      row.workspaceId,
      row.kind,
      row.id,
      row.source,
      row.name,
      row.hint,
      row.createdAt,
    ]);
    const { rows } = await this.query<ApiKeyRow>(this.sql.keyByHash, [key.hash]);
    const stored = rows[0];
    if (stored === undefined) throw new Error('the key was not stored');
    return keyFromRow(stored);
  }

  async findKey(hash: string): Promise<KeyMatch | undefined> {
    const { rows } = await this.query<{ id: string; workspace_id: string; kind: KeyKind }>(this.sql.findKey, [
      hash,
    ]);
    const row = rows[0];
    return row && { id: row.id, workspaceId: row.workspace_id, kind: row.kind };
  }

  async listKeys(workspaceId: string): Promise<ApiKeyRecord[]> {
    const { rows } = await this.query<ApiKeyRow>(this.sql.listKeys, [workspaceId]);
    return rows.map(keyFromRow);
  }

  async revokeKey(revocation: {
    workspaceId: string;
    id: string;
    at: number;
    keepLastAdmin: boolean;
  }): Promise<KeyRevocation> {
    const { workspaceId, id, at, keepLastAdmin } = revocation;
    return this.transaction(async (client): Promise<KeyRevocation> => {
      const admins = await client.query<{ id: string }>(this.sql.lockAdminKeys, [workspaceId]);
      const { rows } = await client.query<ApiKeyRow>(this.sql.keyById, [workspaceId, id]);
      const row = rows[0];
      if (row === undefined) return { kind: 'not_found' };
      const key = keyFromRow(row);
      if (key.revokedAt !== null) return { kind: 'revoked', key };
      if (keepLastAdmin && key.kind === 'admin' && admins.rows.length <= 1) return { kind: 'last_admin' };
      await client.query(this.sql.revokeKey, [workspaceId, id, at]);
      return { kind: 'revoked', key: { ...key, revokedAt: at } };
    });
  }

  async touchKey(id: string, at: number): Promise<void> {
    await this.query(this.sql.touchKey, [id, at]);
  }

  /**
   * Appends the batch in one statement and one transaction; resolves after COMMIT, which with
   * PostgreSQL's default `synchronous_commit = on` means flushed to the WAL on disk. Repeats
   * within the batch are answered `duplicate` without being sent.
   */
  async appendEvents(events: EventToAppend[]): Promise<AppendOutcome[]> {
    if (events.length === 0) return [];
    const keyOf = (workspaceId: string, messageId: string) => JSON.stringify([workspaceId, messageId]);
    const keys = events.map((item) => keyOf(item.workspaceId, item.event.messageId));
    const firstIndex = new Map<string, number>();
    keys.forEach((key, index) => {
      if (!firstIndex.has(key)) firstIndex.set(key, index);
    });
    const batch = events.filter((_, index) => firstIndex.get(keys[index] ?? '') === index);
    const values = jsonRows(batch, [
      (item) => item.workspaceId,
      (item) => item.event.messageId,
      (item) => Math.trunc(item.event.timestamp),
      (item) => JSON.stringify(item.event),
    ]);
    const rows = await this.transaction(
      async (client) => {
        await client.query(this.sql.lockLog);
        const result = await client.query<{ seq: Int8; workspace_id: string; message_id: string }>(
          this.sql.appendEvents,
          values,
        );
        return result.rows;
      },
      // A failed INSERT aborts the transaction; only a failed COMMIT may have written the events.
      (error) => new AppendInDoubtError(error),
    );
    const seqs = new Map(rows.map((row) => [keyOf(row.workspace_id, row.message_id), readInt(row.seq)]));
    this.writer.remember({ seq: Math.max(0, ...seqs.values()), checkpoint: 0 });
    return keys.map((key, index): AppendOutcome => {
      const seq = seqs.get(key);
      return seq === undefined || firstIndex.get(key) !== index
        ? { kind: 'duplicate' }
        : { kind: 'appended', seq };
    });
  }

  async readEvents(query: { afterSeq: number; limit: number; workspaceId?: string }): Promise<LoggedEvent[]> {
    const { rows } =
      query.workspaceId === undefined
        ? await this.query<EventRow>(this.sql.readEvents, [query.afterSeq, query.limit])
        : await this.query<EventRow>(this.sql.readWorkspaceEvents, [
            query.workspaceId,
            query.afterSeq,
            query.limit,
          ]);
    return rows.map(eventFromRow);
  }

  async lastSeq(): Promise<number> {
    const { rows } = await this.query<{ seq: Int8 }>(this.sql.lastSeq);
    return readInt(rows[0]?.seq ?? '0');
  }

  async readEventsById(workspaceId: string, messageIds: string[]): Promise<LoggedEvent[]> {
    if (messageIds.length === 0) return [];
    const { rows } = await this.query<EventRow>(this.sql.readEventsById, [workspaceId, messageIds]);
    return rows.map(eventFromRow);
  }

  async findProfileIds(workspaceId: string, keys: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (keys.length === 0) return found;
    const { rows } = await this.query<{ key: string; profile_id: string }>(this.sql.findProfileIds, [
      workspaceId,
      keys,
    ]);
    for (const row of rows) found.set(row.key, row.profile_id);
    return found;
  }

  async loadProfiles(workspaceId: string, ids: string[]): Promise<ProfileState[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.query<{ state: string }>(this.sql.loadProfiles, [workspaceId, ids]);
    return rows.map((row) => fromJson<ProfileState>(row.state));
  }

  async resolveProfileId(workspaceId: string, id: string): Promise<string | undefined> {
    const { rows } = await this.query<{ id: string }>(this.sql.resolveProfileId, [workspaceId, id]);
    return rows[0]?.id;
  }

  /**
   * Writes the commit in one transaction, in the SQLite store's order: rebuilt workspaces
   * cleared, profiles, identifiers, links and derived events upserted, memberships replaced,
   * merges recorded and repointed, merged profiles and their memberships deleted, checkpoint
   * raised. Everything is serialized before BEGIN, so a profile that cannot be written fails
   * the commit before anything is sent.
   */
  async commitView(commit: ViewCommit): Promise<void> {
    const profiles = lastByKey(commit.profiles, (p) => JSON.stringify([p.workspaceId, p.id])).map((p) => ({
      workspaceId: p.workspaceId,
      id: p.id,
      state: JSON.stringify(p),
      due: dueOf(p),
    }));
    const identifiers = lastByKey(commit.identifiers, (i) => JSON.stringify([i.workspaceId, i.key]));
    const links = lastByKey(commit.eventLinks, (link) => String(link.seq));
    const derived = lastByKey(commit.derivedEvents, (d) =>
      JSON.stringify([d.workspaceId, d.profileId, d.event.seq, d.ord]),
    ).map((d) => ({ ...d, body: JSON.stringify(d.event), segment: movedSegment(d.event) }));
    const memberships = lastByKey(commit.memberships, (m) => JSON.stringify([m.workspaceId, m.profileId]));
    const members = lastByKey(
      memberships.flatMap((m) =>
        m.segments.map((segment) => ({ workspaceId: m.workspaceId, profileId: m.profileId, ...segment })),
      ),
      (m) => JSON.stringify([m.workspaceId, m.key, m.profileId]),
    );
    const merges = lastByKey(commit.merges, (m) => JSON.stringify([m.workspaceId, m.fromId]));
    const mergeIds = commit.merges.flatMap((m) => [
      { workspaceId: m.workspaceId, id: m.fromId },
      { workspaceId: m.workspaceId, id: m.intoId },
    ]);

    await this.transaction(async (client) => {
      const write = async <T>(sql: string, rows: T[], fields: ((row: T) => unknown)[]) => {
        for (let start = 0; start < rows.length; start += BATCH_ROWS) {
          await client.query(sql, jsonRows(rows.slice(start, start + BATCH_ROWS), fields));
        }
      };
      for (const { workspaceId, version } of commit.rebuilt) {
        for (const sql of this.sql.clearView) await client.query(sql, [workspaceId]);
        await client.query(this.sql.setViewVersion, [version, workspaceId]);
      }
      await write(this.sql.upsertProfiles, profiles, [
        (p) => p.workspaceId,
        (p) => p.id,
        (p) => p.state,
        (p) => p.due,
      ]);
      await write(this.sql.upsertIdentifiers, identifiers, [
        (i) => i.workspaceId,
        (i) => i.key,
        (i) => i.profileId,
      ]);
      await write(this.sql.upsertLinks, links, [(l) => l.workspaceId, (l) => l.seq, (l) => l.profileId]);
      await write(this.sql.upsertDerived, derived, [
        (d) => d.workspaceId,
        (d) => d.profileId,
        (d) => d.event.seq,
        (d) => d.ord,
        (d) => d.body,
        (d) => d.segment,
      ]);
      await write(this.historySql.addHours, commit.segmentHours ?? [], [
        (h) => h.workspaceId,
        (h) => h.segment,
        (h) => h.hour,
        (h) => h.entries,
        (h) => h.exits,
      ]);
      await write(this.sql.deleteMemberships, memberships, [(m) => m.workspaceId, (m) => m.profileId]);
      await write(this.sql.insertMembers, members, [
        (m) => m.workspaceId,
        (m) => m.key,
        (m) => m.profileId,
        (m) => m.enteredAt,
      ]);
      if (commit.merges.length > 0) {
        await write(this.sql.upsertMerges, merges, [
          (m) => m.workspaceId,
          (m) => m.fromId,
          (m) => m.intoId,
          (m) => m.messageId,
          (m) => m.seq,
          (m) => JSON.stringify(m.identifiers),
          (m) => m.at,
        ]);
        const { rows } = await client.query<AliasRow>(
          this.sql.aliasesTouching,
          jsonRows(mergeIds, [(m) => m.workspaceId, (m) => m.id]),
        );
        const stored = rows.map((row) => ({
          workspaceId: row.workspace_id,
          fromId: row.from_id,
          intoId: row.into_id,
        }));
        const plan = planMerges(commit.merges, stored);
        const pointer: ((row: IdPointer) => string)[] = [
          (r) => r.workspaceId,
          (r) => r.fromId,
          (r) => r.intoId,
        ];
        await write(this.sql.upsertAliases, plan.aliases, pointer);
        for (const sql of this.sql.repoint) await write(sql, plan.repoints, pointer);
      }
      await write(this.sql.deleteProfiles, commit.deletedProfiles, [(d) => d.workspaceId, (d) => d.id]);
      await write(this.sql.deleteMemberships, commit.deletedProfiles, [(d) => d.workspaceId, (d) => d.id]);
      for (const row of commit.learning ?? [])
        await client.query(this.sql.upsertLearningState, [row.workspaceId, row.seq, row.state]);
      await client.query(this.sql.raiseCheckpoint, [commit.checkpoint]);
    });
    this.writer.remember({ seq: 0, checkpoint: commit.checkpoint });
  }

  async viewCheckpoint(): Promise<number> {
    const { rows } = await this.query<{ checkpoint: Int8 }>(this.sql.checkpoint);
    return readInt(rows[0]?.checkpoint ?? '0');
  }

  async learningStates(): Promise<LearningStateRow[]> {
    const { rows } = await this.query<{ workspace_id: string; seq: Int8; state: string }>(
      this.sql.learningStates,
    );
    return rows.map((row) => ({ workspaceId: row.workspace_id, seq: readInt(row.seq), state: row.state }));
  }

  async countProfiles(workspaceId: string): Promise<number> {
    const { rows } = await this.query<{ count: Int8 }>(this.sql.countProfiles, [workspaceId]);
    return readInt(rows[0]?.count ?? '0');
  }

  async scanProfiles(query: { workspaceId: string; after?: string; limit: number }): Promise<ProfileState[]> {
    const { rows } = await this.query<{ state: string }>(this.sql.scanProfiles, [
      query.workspaceId,
      query.after ?? '',
      query.limit,
    ]);
    return rows.map((row) => fromJson<ProfileState>(row.state));
  }

  async dueProfiles(query: {
    workspaceId: string;
    at: number;
    after?: DueProfile;
    limit: number;
  }): Promise<DueProfile[]> {
    const after = query.after ?? FIRST_DUE;
    const { rows } = await this.query<{ id: string; due: string }>(this.sql.dueProfiles, [
      query.workspaceId,
      query.at,
      after.due,
      after.id,
      query.limit,
    ]);
    return rows.map((row) => ({ id: row.id, due: readInt(row.due) }));
  }

  async segmentMembers(query: {
    workspaceId: string;
    segment: string;
    after?: string;
    limit: number;
  }): Promise<MembersPage> {
    const { rows } = await this.query<{ profile_id: string; entered_at: Int8 }>(this.sql.segmentMembers, [
      query.workspaceId,
      query.segment,
      query.after ?? '',
      query.limit + 1,
    ]);
    const members = rows
      .slice(0, query.limit)
      .map((row) => ({ profileId: row.profile_id, enteredAt: readInt(row.entered_at) }));
    const last = members.at(-1);
    return rows.length > query.limit && last !== undefined
      ? { members, nextAfter: last.profileId }
      : { members };
  }

  async segmentSize(workspaceId: string, segment: string): Promise<number> {
    const { rows } = await this.query<{ count: Int8 }>(this.sql.segmentSize, [workspaceId, segment]);
    return readInt(rows[0]?.count ?? '0');
  }

  async segmentHours(query: { workspaceId: string; segment: string; from: number }): Promise<SegmentHour[]> {
    const { rows } = await this.query<SegmentHourRow>(this.historySql.hours, [
      query.workspaceId,
      query.segment,
      query.from,
    ]);
    return rows.map((row) => segmentHourFromRow(query.workspaceId, row));
  }

  async segmentMoves(query: { workspaceId: string; segment: string; limit: number }): Promise<SegmentMove[]> {
    const { rows } = await this.query<{ profile_id: string; seq: Int8; body: string }>(
      this.historySql.moves,
      [query.workspaceId, query.segment, query.limit],
    );
    return rows.map((row) => ({
      profileId: row.profile_id,
      event: eventFromRow({ seq: row.seq, workspace_id: query.workspaceId, body: row.body }),
    }));
  }

  /** Linked and derived events, newest first; a page never splits one seq's events (see `timelinePage`). */
  async timeline(query: ProfileExposuresQuery): Promise<TimelinePage> {
    return timelinePage(async (range) => {
      const { rows } = await this.query<TimelineRow>(this.sql.timeline, [
        query.workspaceId,
        query.profileId,
        range.before,
        range.from,
        range.limit,
      ]);
      return rows;
    }, query);
  }

  async mergeHistory(workspaceId: string, profileId: string): Promise<MergeRecord[]> {
    const { rows } = await this.query<MergeRow>(this.sql.mergeHistory, [workspaceId, profileId]);
    return rows.map(mergeFromRow);
  }

  /**
   * Erases in one transaction, then VACUUMs the tables it touched (outside any transaction, as
   * VACUUM requires), so the dead row versions — the erased rows and every older version of
   * them, TOASTed values and index entries included — are removed before the answer. What stays
   * elsewhere (WAL segments, archives, backups) is the operator's: see docs/storage.md.
   */
  async eraseProfiles(
    workspaceId: string,
    profileIds: string[],
    audit: AuditEntry,
  ): Promise<{ events: number }> {
    const detail = JSON.stringify(audit.detail);
    const result = await this.transaction(async (client) => {
      const ids = new Set(profileIds);
      for (const id of profileIds) {
        const merged = await client.query<{ from_id: string }>(this.sql.aliasesInto, [workspaceId, id]);
        for (const row of merged.rows) ids.add(row.from_id);
      }
      const scope = [workspaceId, [...ids]];
      const erased = await client.query(this.sql.eraseEvents, scope);
      await client.query(this.exposureSql.erase, scope);
      await client.query(this.historySql.eraseExits, [...scope, hourOf(audit.at)]);
      for (const sql of this.sql.eraseView) await client.query(sql, scope);
      await client.query(this.sql.eraseSends, scope);
      await client.query(this.sql.insertAudit, [audit.workspaceId, audit.action, detail, audit.at]);
      return { events: erased.rowCount ?? 0 };
    });
    await this.query(this.sql.vacuumErased);
    return result;
  }

  async auditLog(workspaceId: string, limit: number): Promise<AuditEntry[]> {
    const { rows } = await this.query<AuditRow>(this.sql.auditLog, [workspaceId, limit]);
    return rows.map(auditFromRow);
  }

  async appendExposures(rows: ExposureRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    return this.transaction(async (client) => {
      let added = 0;
      for (let start = 0; start < rows.length; start += BATCH_ROWS) {
        const batch = rows.slice(start, start + BATCH_ROWS).map(exposureValues);
        const result = await client.query(this.exposureSql.insert, [JSON.stringify(batch)]);
        added += result.rowCount ?? 0;
      }
      return added;
    });
  }

  async exposuresByProfile(query: ProfileExposuresQuery): Promise<ExposurePage> {
    const { rows } = await this.query<ExposureDbRow>(this.exposureSql.byProfile, [
      query.workspaceId,
      query.profileId,
      query.before ?? Number.MAX_SAFE_INTEGER,
      query.limit + 1,
    ]);
    return exposurePage(rows, query.limit);
  }

  async exposuresByPlacement(query: PlacementExposuresQuery): Promise<ExposurePage> {
    const { rows } = await this.query<ExposureDbRow>(this.exposureSql.byPlacement, [
      query.workspaceId,
      query.placement,
      query.before ?? Number.MAX_SAFE_INTEGER,
      query.limit + 1,
    ]);
    return exposurePage(rows, query.limit);
  }

  async enqueueSends(sends: SendRecord[]): Promise<number> {
    if (sends.length === 0) return 0;
    const rows = sends.map(sendToRow);
    const fields: ((row: SendRow) => unknown)[] = [
      (r) => r.workspace_id,
      (r) => r.id,
      (r) => r.profile_id,
      (r) => r.channel,
      (r) => r.recipient,
      (r) => r.content,
      (r) => r.action,
      (r) => r.decision_id,
      (r) => r.status,
      (r) => r.attempts,
      (r) => r.next_attempt_at,
      (r) => r.last_error,
      (r) => r.provider_message_id,
      (r) => r.created_at,
      (r) => r.updated_at,
      (r) => r.trigger,
      (r) => r.called_at,
    ];
    return this.transaction(async (client) => {
      let added = 0;
      for (let start = 0; start < rows.length; start += BATCH_ROWS) {
        const result = await client.query(
          this.sql.insertSends,
          jsonRows(rows.slice(start, start + BATCH_ROWS), fields),
        );
        added += result.rowCount ?? 0;
      }
      return added;
    });
  }

  /** One statement that locks what it claims and skips what another claim holds (see `claimSends` query). */
  async claimSends(at: number, limit: number): Promise<SendRecord[]> {
    const { rows } = await this.query<SendRow>(this.sql.claimSends, [at, limit]);
    return rows.map(sendFromRow);
  }

  async markCalled(calls: { workspaceId: string; id: string }[], at: number): Promise<void> {
    await this.setCalled(calls, at);
  }

  async markWaiting(calls: { workspaceId: string; id: string }[]): Promise<void> {
    await this.setCalled(calls, null);
  }

  private async setCalled(calls: { workspaceId: string; id: string }[], at: number | null): Promise<void> {
    if (calls.length === 0) return;
    await this.query(this.sql.markCalled, [
      calls.map((call) => call.workspaceId),
      calls.map((call) => call.id),
      at,
    ]);
  }

  async finishSend(update: SendUpdate): Promise<void> {
    await this.finishSends([update]);
  }

  async finishSends(updates: SendUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    await this.query(this.sql.finishSends, [
      updates.map((update) => update.workspaceId),
      updates.map((update) => update.id),
      updates.map((update) => update.status),
      updates.map((update) => update.nextAttemptAt ?? null),
      updates.map((update) => update.lastError ?? null),
      updates.map((update) => update.providerMessageId ?? null),
      updates.map((update) => update.at),
    ]);
  }

  async confirmSend(confirmation: {
    workspaceId: string;
    id: string;
    providerMessageId: string;
    at: number;
  }): Promise<SendRecord | undefined> {
    const { workspaceId, id, providerMessageId, at } = confirmation;
    const { rows } = await this.query<SendRow>(this.sql.confirmSend, [
      workspaceId,
      id,
      providerMessageId,
      at,
    ]);
    const row = rows[0];
    return row && sendFromRow(row);
  }

  /**
   * Holds the sends awaiting a confirmation, then releases those never handed to a provider,
   * then the rest, in one transaction.
   */
  async releaseSending(release: { at: number; awaiting?: AwaitingConfirmation }): Promise<ReleasedSends> {
    const { at, awaiting } = release;
    return this.transaction(async (client) => {
      let held = 0;
      if (awaiting !== undefined && awaiting.channels.length > 0) {
        const result = await client.query(this.sql.awaitSending, [
          awaiting.channels.map((pair) => pair.workspaceId),
          awaiting.channels.map((pair) => pair.channel),
          awaiting.until,
          awaiting.reason,
          at,
        ]);
        held = result.rowCount ?? 0;
      }
      const neverCalled = (await client.query(this.sql.releaseNeverCalled, [at])).rowCount ?? 0;
      const rest = (await client.query(this.sql.releaseSending, [at])).rowCount ?? 0;
      return { released: neverCalled + rest, neverCalled, awaiting: held };
    });
  }

  async nextSendDue(): Promise<number | undefined> {
    const { rows } = await this.query<{ due: Int8 | null }>(this.sql.nextSendDue);
    const due = rows[0]?.due ?? null;
    return due === null ? undefined : readInt(due);
  }

  async listSends(query: {
    workspaceId: string;
    status?: SendStatus;
    before?: { createdAt: number; id: string };
    limit: number;
  }): Promise<SendRecord[]> {
    const before = query.before ?? FIRST_SEND;
    const { rows } = await this.query<SendRow>(this.sql.listSends, [
      query.workspaceId,
      query.status ?? null,
      before.createdAt,
      before.id,
      query.limit,
    ]);
    return rows.map(sendFromRow);
  }

  async getSend(workspaceId: string, id: string): Promise<SendRecord | undefined> {
    const { rows } = await this.query<SendRow>(this.sql.getSend, [workspaceId, id]);
    const row = rows[0];
    return row && sendFromRow(row);
  }

  async redriveSend(workspaceId: string, id: string, at: number): Promise<boolean> {
    const result = await this.query(this.sql.redriveSend, [workspaceId, id, at]);
    return (result.rowCount ?? 0) > 0;
  }

  async sendCountsByTrigger(workspaceId: string, prefix: string): Promise<TriggerSendCount[]> {
    const { rows } = await this.query<TriggerCountRow>(this.sql.triggerCounts, [
      workspaceId,
      prefix,
      prefixUpperBound(prefix),
    ]);
    return rows.map(triggerCountFromRow);
  }

  async failedCountsByReason(query: {
    workspaceId: string;
    prefix: string;
    reason: string;
  }): Promise<ReasonCount[]> {
    const { rows } = await this.query<{ trigger: string; count: string | number }>(
      this.sql.failedCountsByReason,
      [query.workspaceId, query.prefix, prefixUpperBound(query.prefix), query.reason],
    );
    return rows.map((row) => ({ trigger: row.trigger, count: readInt(row.count) }));
  }

  async latestSendsByProfile(query: LatestSendsQuery): Promise<SendRecord[]> {
    const { rows } = await this.query<SendRow>(this.sql.latestSendsByProfile, [
      query.workspaceId,
      query.trigger,
      query.after ?? '',
      query.limit,
    ]);
    return rows.map(sendFromRow);
  }

  /**
   * One statement on any pooled connection. An error that means the database is away (see
   * `isConnectionError`) becomes a StoreUnavailableError; the pool has already discarded the
   * dead connection (pg-pool listens for `'error'` on a client while it runs `pool.query`).
   */
  private async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (error) {
      throw unavailableOr(error);
    }
  }

  /**
   * Runs `work` in one transaction on one checked-out connection, with the writer lock taken first
   * (again, if its connection died), so no write transaction runs without it. While it is checked out the
   * connection has an `'error'` listener of its own (the pool's covers only idle ones): a
   * server that terminates it mid-transaction would otherwise end the process. A connection
   * that errored or cannot roll back is discarded, so the next call opens a fresh one.
   * `inDoubt`, when given, replaces an error of the COMMIT itself, whose outcome is unknown (the
   * connection may have dropped after the server committed), with a lost connection as a
   * StoreUnavailableError cause; other connection errors become a StoreUnavailableError.
   */
  private async transaction<T>(
    work: (client: pg.PoolClient) => Promise<T>,
    inDoubt?: (error: unknown) => Error,
  ): Promise<T> {
    let client: pg.PoolClient;
    try {
      if (!this.writer.held) await this.writer.take();
      client = await this.pool.connect();
    } catch (error) {
      throw unavailableOr(error);
    }
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      try {
        await client.query('COMMIT');
      } catch (error) {
        throw inDoubt === undefined ? error : inDoubt(unavailableOr(error));
      }
      return result;
    } catch (error) {
      if (broken === undefined) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
      }
      throw unavailableOr(error);
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }
}

/** The error a caller should see: a StoreUnavailableError for a lost or refused connection, else the error itself. */
function unavailableOr(error: unknown): unknown {
  return !isAppendInDoubt(error) && isConnectionError(error) ? new StoreUnavailableError(error) : error;
}
