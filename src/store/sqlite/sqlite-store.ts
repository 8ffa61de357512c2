import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SendRecord, SendStatus, SendUpdate } from '../../activate/send-record.ts';
import { TailorError } from '../../errors.ts';
import type { LoggedEvent } from '../../ingest/event.ts';
import { mapInSlices } from '../../map-in-slices.ts';
import type { ProfileState } from '../../profile/profile.ts';
import { decodeProfile, encodeProfile } from '../../profile/profile-codec.ts';
import { hourOf } from '../../time/hour-of.ts';
import type { WorkspaceDefinition } from '../../workspace/workspace.ts';
import { keyFromRow, keyToInsert } from '../api-key-rows.ts';
import { movedSegment } from '../history-rows.ts';
import type { AuditEntry } from '../ports/erasure-store.ts';
import type { AppendOutcome, EventToAppend } from '../ports/event-log.ts';
import type {
  ExposurePage,
  ExposureRow,
  PlacementExposuresQuery,
  ProfileExposuresQuery,
} from '../ports/exposure-log.ts';
import type { ApiKeyRecord, KeyMatch, KeyRevocation, NewApiKey } from '../ports/key-store.ts';
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
import {
  auditFromRow,
  dueOf,
  eventFromRow,
  FIRST_DUE,
  FIRST_SEND,
  fromJson,
  mergeFromRow,
  prefixUpperBound,
  sendFromRow,
  sendToRow,
  timelinePage,
  triggerCountFromRow,
  workspaceFromRow,
} from '../stored-rows.ts';
import { asDiskFull } from './disk-full.ts';
import { SqliteCheckpoints } from './sqlite-checkpoints.ts';
import { SqliteExposures } from './sqlite-exposures.ts';
import { SqliteLearningStates } from './sqlite-learning-states.ts';
import { migrateSqlite } from './sqlite-schema.ts';
import { scrubOnOpen, truncateWal } from './sqlite-scrub.ts';
import { SqliteSegmentHistory } from './sqlite-segment-history.ts';
import { type ProfileColumn, prepareStatements, type SqliteStatements } from './sqlite-statements.ts';
import { SqliteWorkspaceVersions } from './sqlite-workspace-versions.ts';
import { SqliteWriteThread } from './sqlite-write-thread.ts';
import { type SqliteWriterLock, takeSqliteWriterLock } from './sqlite-writer-lock.ts';

/**
 * WAL pages (4 KiB each) after which the write thread's own connection checkpoints: only when
 * the checkpoint thread falls behind, 64 MiB instead of SQLite's 4 MB.
 */
const BACKSTOP_CHECKPOINT_PAGES = 16_384;

/** How the SQLite store opens its file. */
export interface SqliteStoreOptions {
  /** Database file (its directory is created when missing), or `:memory:`. */
  path: string;
  /**
   * `FULL` (default) fsyncs every commit, so an acknowledged event survives a power loss;
   * `NORMAL` in WAL mode may lose the last commits on power loss (never on a process crash).
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** How long a statement waits for another connection's lock before failing (ms). */
  busyTimeoutMs?: number;
  /** Page cache size in MiB (default 256): the view's working set should fit. */
  cacheMiB?: number;
  /**
   * Where writes run: `inline` (default) on this thread's connection; `thread` on a second
   * connection in a worker thread (`SqliteWriteThread`), so commits and their fsyncs never
   * block this thread's event loop. A file database only (`:memory:` cannot be shared).
   */
  writes?: 'inline' | 'thread';
  /** Internal: `write-thread` is the write thread's own connection, opened beside the store's. */
  role?: 'store' | 'write-thread';
}

/**
 * Where each store method runs when the store has a write thread: `read` on the store's own
 * connection, `write` on the thread, `here` as it is (the lifecycle, and `commitView`, which
 * encodes on the caller's thread and hands the bytes over). A `Record` over every method of
 * `Store`, so a method added to a port does not compile until it is placed here.
 */
const PLACES: Record<keyof Store, 'read' | 'write' | 'here'> = {
  migrate: 'here',
  close: 'here',
  commitView: 'here',
  saveWorkspace: 'write',
  getWorkspace: 'read',
  listWorkspaces: 'read',
  workspaceVersions: 'read',
  workspaceVersion: 'read',
  addKey: 'write',
  findKey: 'read',
  listKeys: 'read',
  revokeKey: 'write',
  touchKey: 'write',
  appendEvents: 'write',
  readEvents: 'read',
  readEventsById: 'read',
  lastSeq: 'read',
  findProfileIds: 'read',
  loadProfiles: 'read',
  resolveProfileId: 'read',
  viewCheckpoint: 'read',
  learningStates: 'read',
  countProfiles: 'read',
  scanProfiles: 'read',
  dueProfiles: 'read',
  segmentMembers: 'read',
  segmentSize: 'read',
  segmentHours: 'read',
  segmentMoves: 'read',
  timeline: 'read',
  mergeHistory: 'read',
  eraseProfiles: 'write',
  auditLog: 'read',
  appendExposures: 'write',
  exposuresByProfile: 'read',
  exposuresByPlacement: 'read',
  enqueueSends: 'write',
  claimSends: 'write',
  markCalled: 'write',
  markWaiting: 'write',
  finishSend: 'write',
  finishSends: 'write',
  confirmSend: 'write',
  releaseSending: 'write',
  nextSendDue: 'read',
  listSends: 'read',
  getSend: 'read',
  redriveSend: 'write',
  sendCountsByTrigger: 'read',
  latestSendsByProfile: 'read',
  failedCountsByReason: 'read',
};

/** The store methods that run on the write thread, when there is one. */
export const SQLITE_WRITE_METHODS: readonly string[] = Object.entries(PLACES)
  .filter(([, place]) => place === 'write')
  .map(([method]) => method);

/** A view commit with its profiles encoded, as the write thread receives it. */
interface EncodedViewCommit extends Omit<ViewCommit, 'profiles' | 'encodedProfiles'> {
  profiles: { workspaceId: string; id: string; state: Uint8Array; due: number | null }[];
}

/** A stored profile, from MessagePack bytes or, in rows written before them, JSON text. */
function storedProfile(state: ProfileColumn): ProfileState {
  return typeof state === 'string' ? fromJson<ProfileState>(state) : decodeProfile(state);
}

/**
 * The embedded storage adapter: one SQLite file in WAL mode through better-sqlite3. Calls are
 * synchronous underneath and return settled promises; every multi-row write is one transaction.
 * The schema is created on construction, so a store can be read right after `new`. A file
 * store holds the file's writer lock from `new` to `close` (`takeSqliteWriterLock`): a second
 * store on the same file, in this process or another, throws `STORE_LOCKED` from `new`.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly sql: SqliteStatements;
  private readonly exposures: SqliteExposures;
  private readonly segmentHistory: SqliteSegmentHistory;
  private readonly learning: SqliteLearningStates;
  private readonly versions: SqliteWorkspaceVersions;
  private readonly writerLock: SqliteWriterLock | undefined;
  private readonly thread: SqliteWriteThread | undefined;
  private readonly checkpoints: SqliteCheckpoints | undefined;
  /** Whether this connection fsyncs each commit (`synchronous = FULL`). */
  private readonly fullSync: boolean;

  constructor(options: SqliteStoreOptions) {
    this.fullSync = (options.synchronous ?? 'FULL') === 'FULL';
    const memory = options.path === ':memory:' || options.path === '';
    if (options.role === 'write-thread') {
      // The store that started this thread holds the lock and migrated the schema.
      this.db = new Database(options.path);
      this.sql = this.configure(options);
      this.exposures = new SqliteExposures(this.db);
      this.segmentHistory = new SqliteSegmentHistory(this.db);
      this.learning = new SqliteLearningStates(this.db);
      this.versions = new SqliteWorkspaceVersions(this.db);
      return;
    }
    if (!memory) {
      mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
      // Before anything touches the file: opening migrates, scrubs and truncates the WAL,
      // which must never happen under another process's view.
      this.writerLock = takeSqliteWriterLock(options.path);
      // SQLite gives `-wal` and `-shm` the database file's mode: creating it 0600 first keeps
      // all three private whatever the umask (SQLite itself would create 0644).
      closeSync(openSync(options.path, 'a', 0o600));
    }
    try {
      this.db = new Database(options.path);
    } catch (error) {
      this.writerLock?.release();
      throw error;
    }
    try {
      // With a write thread, each of its commits empties this connection's page cache (SQLite
      // drops a reader's cache whenever another connection wrote), so a big one would be wasted.
      const threaded = options.writes === 'thread' && !memory;
      this.sql = this.open(
        threaded ? { ...options, cacheMiB: Math.min(options.cacheMiB ?? 256, 16) } : options,
      );
      this.exposures = new SqliteExposures(this.db);
      this.segmentHistory = new SqliteSegmentHistory(this.db);
      this.learning = new SqliteLearningStates(this.db);
      this.versions = new SqliteWorkspaceVersions(this.db);
    } catch (error) {
      this.db.close();
      this.writerLock?.release();
      throw error;
    }
    if (options.writes === 'thread' && !memory) {
      const thread = new SqliteWriteThread({ ...options, writes: 'inline', role: 'write-thread' });
      this.thread = thread;
      const self = this as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      for (const method of SQLITE_WRITE_METHODS) self[method] = (...args) => thread.call(method, args);
      this.checkpoints = new SqliteCheckpoints(options.path);
    }
  }

  /** Sets the connection up, brings the schema to the current version and prepares statements. */
  private open(options: SqliteStoreOptions): SqliteStatements {
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5_000}`);
    this.db.pragma('journal_mode = WAL');
    const fresh = Number(this.db.pragma('user_version', { simple: true })) === 0;
    migrateSqlite(this.db);
    scrubOnOpen(this.db, fresh);
    return this.configure(options);
  }

  /** The connection's own settings (each connection has its own), then its prepared statements. */
  private configure(options: SqliteStoreOptions): SqliteStatements {
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5_000}`);
    this.db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    // Profiles and the identifier index are read and rewritten at random: a page cache far
    // above SQLite's 2 MB default keeps view commits and prefetches off the disk.
    this.db.pragma(`cache_size = ${-(options.cacheMiB ?? 256) * 1024}`);
    this.db.pragma('temp_store = MEMORY');
    // The checkpoint thread (`SqliteCheckpoints`) keeps the WAL short; this is its backstop.
    if (options.role === 'write-thread') this.db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
    // Freed cells are zeroed by whichever connection frees them (see `scrubOnOpen`).
    this.db.pragma('secure_delete = ON');
    return prepareStatements(this.db);
  }

  /** Brings the schema to the current version (upgrading an older database in place). */
  async migrate(): Promise<void> {
    migrateSqlite(this.db);
  }

  /** Closes the file, then lets another process take the database. */
  /** Runs `work` in one transaction; a full disk is thrown as STORE_FULL (the transaction rolled back). */
  private transact<T>(work: () => T): T {
    try {
      return this.db.transaction(work)();
    } catch (error) {
      throw asDiskFull(error);
    }
  }

  async close(): Promise<void> {
    await this.thread?.close();
    await this.checkpoints?.close();
    if (this.db.open) this.db.close();
    this.writerLock?.release();
  }

  /**
   * Stores the definition; the version goes up by one only when the definition differs from the
   * stored one, and is kept with its source in the same transaction.
   */
  async saveWorkspace(definition: WorkspaceDefinition, source?: VersionSource): Promise<StoredWorkspace> {
    const text = JSON.stringify(definition);
    this.transact(() => {
      const current = this.sql.getWorkspace.get(definition.id);
      if (current?.definition === text) return;
      const version = (current?.version ?? 0) + 1;
      this.sql.putWorkspace.run({ id: definition.id, definition: text, version });
      this.versions.keep({
        workspaceId: definition.id,
        version,
        definition: text,
        ...(source === undefined ? {} : { source }),
      });
    });
    const saved = this.sql.getWorkspace.get(definition.id);
    if (saved === undefined) throw new Error(`workspace ${definition.id} was not saved`);
    return workspaceFromRow(saved);
  }

  async getWorkspace(id: string): Promise<StoredWorkspace | undefined> {
    const row = this.sql.getWorkspace.get(id);
    return row && workspaceFromRow(row);
  }

  async listWorkspaces(): Promise<StoredWorkspace[]> {
    return this.sql.listWorkspaces.all().map(workspaceFromRow);
  }

  async workspaceVersions(query: {
    workspaceId: string;
    before?: number;
    limit: number;
  }): Promise<WorkspaceVersion[]> {
    return this.versions.page(query);
  }

  async workspaceVersion(workspaceId: string, version: number): Promise<WorkspaceVersion | undefined> {
    return this.versions.get(workspaceId, version);
  }

  async addKey(key: NewApiKey): Promise<ApiKeyRecord> {
    const row = keyToInsert(key, Date.now());
    this.sql.addKey.run(row);
    const stored = this.sql.keyByHash.get(key.hash);
    if (stored === undefined) throw new Error('the key was not stored');
    return keyFromRow(stored);
  }

  async findKey(hash: string): Promise<KeyMatch | undefined> {
    const row = this.sql.findKey.get(hash);
    return row && { id: row.id, workspaceId: row.workspace_id, kind: row.kind };
  }

  async listKeys(workspaceId: string): Promise<ApiKeyRecord[]> {
    return this.sql.listKeys.all(workspaceId).map(keyFromRow);
  }

  async revokeKey(revocation: {
    workspaceId: string;
    id: string;
    at: number;
    keepLastAdmin: boolean;
  }): Promise<KeyRevocation> {
    const { workspaceId, id, at, keepLastAdmin } = revocation;
    return this.transact((): KeyRevocation => {
      const row = this.sql.keyById.get(workspaceId, id);
      if (row === undefined) return { kind: 'not_found' };
      const key = keyFromRow(row);
      if (key.revokedAt !== null) return { kind: 'revoked', key };
      if (
        keepLastAdmin &&
        key.kind === 'admin' &&
        (this.sql.activeAdminKeys.get(workspaceId)?.count ?? 0) <= 1
      )
        return { kind: 'last_admin' };
      this.sql.revokeKey.run(at, workspaceId, id);
      return { kind: 'revoked', key: { ...key, revokedAt: at } };
    });
  }

  async touchKey(id: string, at: number): Promise<void> {
    this.sql.touchKey.run(at, id, at);
  }

  /** One SQLite transaction: a throw (from an insert or the COMMIT) rolls all of it back. */
  async appendEvents(events: EventToAppend[]): Promise<AppendOutcome[]> {
    return this.transact(() =>
      events.map(({ workspaceId, event }): AppendOutcome => {
        const result = this.sql.insertEvent.run(
          workspaceId,
          event.messageId,
          event.timestamp,
          JSON.stringify(event),
        );
        return result.changes === 0
          ? { kind: 'duplicate' }
          : { kind: 'appended', seq: Number(result.lastInsertRowid) };
      }),
    );
  }

  async readEvents(query: { afterSeq: number; limit: number; workspaceId?: string }): Promise<LoggedEvent[]> {
    const rows =
      query.workspaceId === undefined
        ? this.sql.readEvents.all(query.afterSeq, query.limit)
        : this.sql.readWorkspaceEvents.all(query.workspaceId, query.afterSeq, query.limit);
    return rows.map(eventFromRow);
  }

  async readEventsById(workspaceId: string, messageIds: string[]): Promise<LoggedEvent[]> {
    if (messageIds.length === 0) return [];
    return this.sql.readEventsById
      .all({ ws: workspaceId, list: JSON.stringify(messageIds) })
      .map(eventFromRow);
  }

  async lastSeq(): Promise<number> {
    return this.sql.lastSeq.get()?.seq ?? 0;
  }

  async findProfileIds(workspaceId: string, keys: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (keys.length === 0) return found;
    for (const row of this.sql.findProfileIds.all({ ws: workspaceId, list: JSON.stringify(keys) })) {
      found.set(row.key, row.profile_id);
    }
    return found;
  }

  async loadProfiles(workspaceId: string, ids: string[]): Promise<ProfileState[]> {
    if (ids.length === 0) return [];
    return this.sql.loadProfiles
      .all({ ws: workspaceId, list: JSON.stringify(ids) })
      .map((row) => storedProfile(row.state));
  }

  async resolveProfileId(workspaceId: string, id: string): Promise<string | undefined> {
    const survivor = this.sql.alias.get(workspaceId, id)?.into_id ?? id;
    return this.sql.profileExists.get(workspaceId, survivor) ? survivor : undefined;
  }

  /**
   * Profiles are written as the caller encoded them (`encodedProfiles`), or else encoded here, on
   * the caller's thread, in slices that let other requests in (a commit can hold thousands of
   * profiles); the caller changes none of them until this resolves, as the engine's writer
   * waits for its commit. With a write thread, the bytes are
   * copied to it with the message: MessagePack writes many profiles into one buffer, copied once.
   */
  async commitView(commit: ViewCommit): Promise<void> {
    const { encodedProfiles, ...rest } = commit;
    const states = encodedProfiles ?? (await mapInSlices(commit.profiles, encodeProfile));
    const encoded: EncodedViewCommit = {
      ...rest,
      profiles: commit.profiles.map((profile, i) => ({
        workspaceId: profile.workspaceId,
        id: profile.id,
        state: states[i] ?? encodeProfile(profile),
        due: dueOf(profile),
      })),
    };
    if (this.thread === undefined) return this.commitEncoded(encoded);
    return this.thread.call('commitEncoded', [encoded]);
  }

  /**
   * Writes a view commit whose profiles are encoded already (`commitView`, on whichever thread
   * writes). Without an fsync of its own: the view is derived from the log, whose appends do
   * fsync, and in WAL mode that fsync makes every earlier commit durable too. A power loss can
   * only take the last view commits, checkpoint included, and the log is replayed past the
   * checkpoint that survived — while each view commit (thousands of rows) saves a flush.
   */
  async commitEncoded(commit: EncodedViewCommit): Promise<void> {
    this.withoutFsync(() => this.writeCommit(commit));
  }

  /** Runs `work` with this connection's commits not fsynced, when they are otherwise. */
  private withoutFsync(work: () => void): void {
    if (!this.fullSync) {
      work();
      return;
    }
    this.db.pragma('synchronous = NORMAL');
    try {
      work();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  private writeCommit(commit: EncodedViewCommit): void {
    this.transact(() => {
      for (const { workspaceId, version } of commit.rebuilt) {
        for (const statement of this.sql.clearView) statement.run(workspaceId);
        this.sql.setViewVersion.run(version, workspaceId);
      }
      for (const profile of commit.profiles) {
        this.sql.upsertProfile.run(profile.workspaceId, profile.id, profile.state, profile.due);
      }
      for (const entry of commit.identifiers)
        this.sql.upsertIdentifier.run(entry.workspaceId, entry.key, entry.profileId);
      for (const link of commit.eventLinks)
        this.sql.insertLink.run(link.workspaceId, link.seq, link.profileId);
      for (const row of commit.derivedEvents) {
        const { workspaceId, profileId, event, ord } = row;
        const body = JSON.stringify(event);
        this.sql.upsertDerived.run(workspaceId, profileId, event.seq, ord, body, movedSegment(event));
      }
      this.segmentHistory.add(commit.segmentHours ?? []);
      this.learning.write(commit.learning ?? []);
      for (const { workspaceId, profileId, segments } of commit.memberships) {
        this.sql.deleteMemberships.run(workspaceId, profileId);
        for (const { key, enteredAt } of segments) {
          this.sql.insertMember.run(workspaceId, key, profileId, enteredAt);
        }
      }
      for (const merge of commit.merges) this.recordMerge(merge);
      for (const gone of commit.deletedProfiles) {
        this.sql.deleteProfile.run(gone.workspaceId, gone.id);
        this.sql.deleteMemberships.run(gone.workspaceId, gone.id);
      }
      this.sql.raiseCheckpoint.run(commit.checkpoint);
    });
  }

  /**
   * Records a merge and points everything that pointed at `fromId` — identifiers, event links
   * and ids merged into it before — at the survivor, so every merged id resolves in one hop.
   */
  private recordMerge(merge: MergeRecord): void {
    const ws = merge.workspaceId;
    const into = this.sql.alias.get(ws, merge.intoId)?.into_id ?? merge.intoId;
    this.sql.insertMerge.run({
      workspace_id: ws,
      from_id: merge.fromId,
      into_id: merge.intoId,
      message_id: merge.messageId,
      seq: merge.seq,
      identifiers: JSON.stringify(merge.identifiers),
      at: merge.at,
    });
    if (merge.fromId === into) return;
    const repoint = { ws, from: merge.fromId, into };
    this.sql.insertAlias.run(repoint);
    this.sql.repointAliases.run(repoint);
    this.sql.repointIdentifiers.run(repoint);
    this.sql.repointLinks.run(repoint);
  }

  async viewCheckpoint(): Promise<number> {
    return this.sql.checkpoint.get()?.checkpoint ?? 0;
  }

  async learningStates(): Promise<LearningStateRow[]> {
    return this.learning.read();
  }

  async countProfiles(workspaceId: string): Promise<number> {
    return this.sql.countProfiles.get(workspaceId)?.count ?? 0;
  }

  async scanProfiles(query: { workspaceId: string; after?: string; limit: number }): Promise<ProfileState[]> {
    return this.sql.scanProfiles
      .all(query.workspaceId, query.after ?? '', query.limit)
      .map((row) => storedProfile(row.state));
  }

  async dueProfiles(query: {
    workspaceId: string;
    at: number;
    after?: DueProfile;
    limit: number;
  }): Promise<DueProfile[]> {
    const after = query.after ?? FIRST_DUE;
    return this.sql.dueProfiles.all(query.workspaceId, query.at, after.due, after.id, query.limit);
  }

  async segmentMembers(query: {
    workspaceId: string;
    segment: string;
    after?: string;
    limit: number;
  }): Promise<MembersPage> {
    const rows = this.sql.segmentMembers.all(
      query.workspaceId,
      query.segment,
      query.after ?? '',
      query.limit + 1,
    );
    const members = rows
      .slice(0, query.limit)
      .map((row) => ({ profileId: row.profile_id, enteredAt: row.entered_at }));
    const last = members.at(-1);
    return rows.length > query.limit && last !== undefined
      ? { members, nextAfter: last.profileId }
      : { members };
  }

  async segmentSize(workspaceId: string, segment: string): Promise<number> {
    return this.sql.segmentSize.get(workspaceId, segment)?.count ?? 0;
  }

  async segmentHours(query: { workspaceId: string; segment: string; from: number }): Promise<SegmentHour[]> {
    return this.segmentHistory.read(query);
  }

  async segmentMoves(query: { workspaceId: string; segment: string; limit: number }): Promise<SegmentMove[]> {
    return this.segmentHistory.latestMoves(query);
  }

  /** Linked and derived events, newest first; a page never splits one seq's events (see `timelinePage`). */
  async timeline(query: ProfileExposuresQuery): Promise<TimelinePage> {
    const scope = { ws: query.workspaceId, profile: query.profileId };
    return timelinePage(async (range) => this.sql.timeline.all({ ...scope, ...range }), query);
  }

  async mergeHistory(workspaceId: string, profileId: string): Promise<MergeRecord[]> {
    return this.sql.mergeHistory.all(workspaceId, profileId).map(mergeFromRow);
  }

  /**
   * Erases in one transaction, then truncates the WAL so no page image from before stays in
   * `-wal`; throws `ERASE_NOT_FLUSHED` (after the erase committed) when a reader kept it from that.
   */
  async eraseProfiles(
    workspaceId: string,
    profileIds: string[],
    audit: AuditEntry,
  ): Promise<{ events: number }> {
    const result = this.transact(() => {
      const ids = new Set(profileIds);
      for (const id of profileIds) {
        for (const row of this.sql.aliasesInto.all(workspaceId, id)) ids.add(row.from_id);
      }
      const scope = { ws: workspaceId, list: JSON.stringify([...ids]) };
      const events = this.sql.eraseEvents.run(scope).changes;
      this.exposures.eraseProfiles(workspaceId, scope.list);
      this.segmentHistory.countErased({ ...scope, hour: hourOf(audit.at) });
      for (const statement of this.sql.eraseView) statement.run(scope);
      this.sql.eraseSends.run(scope);
      this.sql.insertAudit.run({
        workspace_id: audit.workspaceId,
        action: audit.action,
        detail: JSON.stringify(audit.detail),
        at: audit.at,
      });
      return { events };
    });
    if (!truncateWal(this.db)) throw new TailorError('ERASE_NOT_FLUSHED');
    return result;
  }

  async auditLog(workspaceId: string, limit: number): Promise<AuditEntry[]> {
    return this.sql.auditLog.all(workspaceId, limit).map(auditFromRow);
  }

  async appendExposures(rows: ExposureRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    return this.transact(() => this.exposures.append(rows));
  }

  async exposuresByProfile(query: ProfileExposuresQuery): Promise<ExposurePage> {
    return this.exposures.profilePage(query);
  }

  async exposuresByPlacement(query: PlacementExposuresQuery): Promise<ExposurePage> {
    return this.exposures.placementPage(query);
  }

  async enqueueSends(sends: SendRecord[]): Promise<number> {
    return this.transact(() =>
      sends.reduce((added, send) => added + this.sql.insertSend.run(sendToRow(send)).changes, 0),
    );
  }

  /** Selects and marks the due sends in one transaction: no other connection writes in between. */
  async claimSends(at: number, limit: number): Promise<SendRecord[]> {
    return this.transact(() =>
      this.sql.dueSends.all(at, limit).flatMap((due) => {
        const row = this.sql.claimSend.get({ at, ws: due.workspace_id, id: due.id });
        return row === undefined ? [] : [sendFromRow(row)];
      }),
    );
  }

  async markCalled(calls: { workspaceId: string; id: string }[], at: number): Promise<void> {
    this.setCalled(calls, at);
  }

  async markWaiting(calls: { workspaceId: string; id: string }[]): Promise<void> {
    this.setCalled(calls, null);
  }

  private setCalled(calls: { workspaceId: string; id: string }[], at: number | null): void {
    if (calls.length === 0) return;
    this.transact(() => {
      for (const call of calls) this.sql.markCalled.run(at, call.workspaceId, call.id);
    });
  }

  async finishSend(update: SendUpdate): Promise<void> {
    this.finishOne(update);
  }

  async finishSends(updates: SendUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    this.transact(() => {
      for (const update of updates) this.finishOne(update);
    });
  }

  private finishOne(update: SendUpdate): void {
    this.sql.finishSend.run({
      ws: update.workspaceId,
      id: update.id,
      status: update.status,
      next: update.nextAttemptAt ?? null,
      error: update.lastError ?? null,
      provider: update.providerMessageId ?? null,
      at: update.at,
    });
  }

  async confirmSend(confirmation: {
    workspaceId: string;
    id: string;
    providerMessageId: string;
    at: number;
  }): Promise<SendRecord | undefined> {
    const { workspaceId, id, providerMessageId, at } = confirmation;
    const row = this.sql.confirmSend.get(providerMessageId, at, workspaceId, id);
    return row && sendFromRow(row);
  }

  /**
   * Holds the sends awaiting a confirmation, then releases those never handed to a provider,
   * then the rest, in one transaction.
   */
  async releaseSending(release: { at: number; awaiting?: AwaitingConfirmation }): Promise<ReleasedSends> {
    const { at, awaiting } = release;
    return this.transact(() => {
      const held =
        awaiting === undefined || awaiting.channels.length === 0
          ? 0
          : this.sql.awaitSending.run({
              list: JSON.stringify(awaiting.channels.map((pair) => [pair.workspaceId, pair.channel])),
              until: awaiting.until,
              reason: awaiting.reason,
              at,
            }).changes;
      const neverCalled = this.sql.releaseNeverCalled.run(at, at).changes;
      const rest = this.sql.releaseSending.run(at, at).changes;
      return { released: neverCalled + rest, neverCalled, awaiting: held };
    });
  }

  async nextSendDue(): Promise<number | undefined> {
    return this.sql.nextSendDue.get()?.due ?? undefined;
  }

  async listSends(query: {
    workspaceId: string;
    status?: SendStatus;
    before?: { createdAt: number; id: string };
    limit: number;
  }): Promise<SendRecord[]> {
    const before = query.before ?? FIRST_SEND;
    return this.sql.listSends
      .all({
        ws: query.workspaceId,
        status: query.status ?? null,
        created: before.createdAt,
        id: before.id,
        limit: query.limit,
      })
      .map(sendFromRow);
  }

  async getSend(workspaceId: string, id: string): Promise<SendRecord | undefined> {
    const row = this.sql.getSend.get(workspaceId, id);
    return row && sendFromRow(row);
  }

  async redriveSend(workspaceId: string, id: string, at: number): Promise<boolean> {
    return this.sql.redriveSend.run(at, at, workspaceId, id).changes > 0;
  }

  async sendCountsByTrigger(workspaceId: string, prefix: string): Promise<TriggerSendCount[]> {
    const upper = prefixUpperBound(prefix);
    const rows =
      upper === null
        ? this.sql.triggerCountsFrom.all({ ws: workspaceId, prefix })
        : this.sql.triggerCounts.all({ ws: workspaceId, prefix, upper });
    return rows.map(triggerCountFromRow);
  }

  async failedCountsByReason(query: {
    workspaceId: string;
    prefix: string;
    reason: string;
  }): Promise<ReasonCount[]> {
    return this.sql.failedCountsByReason.all({
      ws: query.workspaceId,
      prefix: query.prefix,
      upper: prefixUpperBound(query.prefix),
      reason: query.reason,
    });
  }

  async latestSendsByProfile(query: LatestSendsQuery): Promise<SendRecord[]> {
    return this.sql.latestSendsByProfile
      .all({ ws: query.workspaceId, trigger: query.trigger, after: query.after ?? '', limit: query.limit })
      .map(sendFromRow);
  }
}
