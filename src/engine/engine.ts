import { setImmediate as yieldToIo } from 'node:timers/promises';
import { adsSends } from '../activate/ads/ads-sends.ts';
import { journeyAudienceSends } from '../activate/ads/journey-audience-sends.ts';
import type { ChannelsDef } from '../activate/channels-def.ts';
import {
  contactFingerprint,
  contactProjectorOf,
  contactUpsert,
} from '../activate/hubspot/contact-properties.ts';
import type { SendRecord } from '../activate/send-record.ts';
import { sendFromDecision } from '../activate/sends-from-decisions.ts';
import type { Clock } from '../clock.ts';
import { systemClock } from '../clock.ts';
import { LearningState } from '../decide/learn/learning-state.ts';
import { TailorError } from '../errors.ts';
import { type EventIdentifiers, readEventIdentifiers } from '../identity/extract-identifiers.ts';
import { type LoggedEvent, recordedByTailor, type TailorEvent, toLoggedEvent } from '../ingest/event.ts';
import { DECISION_MADE } from '../ingest/reserved-events.ts';
import { type Logger, silentLogger } from '../logger.ts';
import type { ProfileState } from '../profile/profile.ts';
import { type AppendInDoubtError, isAppendInDoubt } from '../store/append-in-doubt-error.ts';
import type { ErasureStore } from '../store/ports/erasure-store.ts';
import type { AppendOutcome, EventToAppend } from '../store/ports/event-log.ts';
import type { ExposureRow } from '../store/ports/exposure-log.ts';
import type { KeyStore } from '../store/ports/key-store.ts';
import type { Outbox } from '../store/ports/outbox.ts';
import type { ViewCommit, ViewStore } from '../store/ports/view-store.ts';
import type { VersionSource, WorkspaceStore } from '../store/ports/workspace-store.ts';
import type { Store } from '../store/store.ts';
import { isStoreUnavailable } from '../store/store-unavailable-error.ts';
import type { WorkspaceDefinition } from '../workspace/workspace.ts';
import { type ApplyOutcome, applyRelease, applyTimer, applyToView } from './apply-to-view.ts';
import { cacheBudget, DEFAULT_CACHE_MB } from './cache-budget.ts';
import { type CompiledWorkspace, compileWorkspace } from './compiled-workspace.ts';
import { journeyHits, type TriggerHit, triggeredDecisions, triggerHits } from './decision-triggers.ts';
import { anythingDue, dueProfileIds } from './due-timers.ts';
import { EngineLearning } from './engine-learning.ts';
import { ExposureBuffer } from './exposure-buffer.ts';
import type { FlushOutcome } from './flush-outcome.ts';
import { GroupCommit } from './group-commit.ts';
import { JourneyLog, profilesToRelease, releasedKeys } from './journey-log.ts';
import { isJourneysRecord } from './journeys-record.ts';
import { erasePerson, personToErase } from './person-erasure.ts';
import { readBackAppend } from './read-back-append.ts';
import { ReadModel } from './read-model.ts';
import { draftSegment, type SegmentPreview } from './segment-preview.ts';
import { SerialQueue } from './serial-queue.ts';
import { isTimerRecord, timerRecord } from './timer-record.ts';
import { scanProfiles } from './view-scan.ts';
import { encodeCommit, prefetch, takeCommit } from './view-sync.ts';
import { type ProgressListener, replayWorkspace } from './workspace-replay.ts';
import { WorkspaceView } from './workspace-view.ts';
import { WriterRecovery } from './writer-recovery.ts';

/** How the engine is wired and tuned. */
export interface EngineOptions {
  store: Store;
  clock?: Clock;
  logger?: Logger;
  /** How often changed profiles are written to the store (ms). Recovery replays at most this much. */
  checkpointIntervalMs?: number;
  /**
   * Also commit the view once this many events were applied since the last commit (default
   * 1,000): bounds a commit's size, so encoding it holds the event loop a few milliseconds and
   * writing it delays the appends behind it about as long.
   */
  commitEveryEvents?: number;
  /** Client events that may wait for the next group commit before ingestion answers 429. */
  maxPendingEvents?: number;
  /** A client's events still waiting for the disk after this long are refused with 429 (ms, default 2,000). */
  maxQueueMs?: number;
  /** Events one group commit writes at most (default 1,000): bounds how long one flush holds the event loop. */
  maxGroupEvents?: number;
  /**
   * Memory for cached profiles and identifier index entries, in MiB (`TAILOR_CACHE_MB`, default
   * 512): split into `maxCachedProfiles` and `maxCachedKeys` by their measured sizes (`cacheBudget`).
   */
  cacheMb?: number;
  /** Profiles kept in memory per workspace; clean ones beyond it are evicted after a commit. */
  maxCachedProfiles?: number;
  /** Identifier index entries and merge aliases kept per workspace; committed ones beyond it are evicted. */
  maxCachedKeys?: number;
  /** How often to look for profiles whose audience is due (ms); at most this late, plus the work. */
  timerIntervalMs?: number;
  /** Told how late each timer fired after the earliest profile in memory fell due (ms), for metrics. */
  onTimerFired?: (lateMs: number) => void;
  /**
   * Log positions a workspace's kept learning state may fall behind the checkpoint before a view
   * commit writes it again (default 10,000, or as many as the state keeps decisions): a start
   * after a crash counts about this many events at most to learn again; a clean close keeps it.
   */
  learningSnapshotEvery?: number;
}

/** Log events read per query while recovering. */
const REPLAY_PAGE = 5_000;

/**
 * Longest stretch (ms) of applying events before a yield to I/O: applying a full batch through a
 * rich workspace takes hundreds of milliseconds, and `/health` and every other request must not
 * wait that long. Measured in time, not events, since one event may cost ten times another.
 */
const APPLY_SLICE_MS = 8;

/**
 * Failures of an append that every retry would meet too, so a group is failed at once rather
 * than retried submission by submission: the database is away, the disk is full, the lock is gone.
 */
const refusesRetry = (error: unknown): boolean =>
  error instanceof TailorError &&
  (error.code === 'STORE_UNAVAILABLE' || error.code === 'STORE_FULL' || error.code === 'STORE_LOCK_LOST');

/**
 * The pipeline's single writer: appends events to the log (group commit), runs them through
 * identity and profile against the in-memory view, and commits the view to the store with a
 * checkpoint. After a crash, `open` replays the log past the checkpoint, so profiles always
 * equal a full replay. Reads go through here too, so they see events as soon as they are acknowledged.
 */
export class Engine {
  private readonly store: Store;
  readonly clock: Clock;
  private readonly logger: Logger;
  private readonly serial = new SerialQueue();
  private readonly groupCommit: GroupCommit<EventToAppend, AppendOutcome>;
  private readonly workspaces = new Map<string, CompiledWorkspace>();
  private readonly views = new Map<string, WorkspaceView>();
  private readonly commitEveryEvents: number;
  private readonly maxCachedProfiles: number;
  private readonly maxCachedKeys: number;
  private appliedSeq = 0;
  private readonly rebuilds = new Map<string, { done: number; total: number }>();
  private uncommittedEvents = 0;
  /** A commit was asked for because enough events piled up, and has not run yet. */
  private commitQueued = false;
  private timer: NodeJS.Timeout | undefined;
  private dueTimer: NodeJS.Timeout | undefined;
  private firing = false;
  private readonly sendListeners: (() => void)[] = [];
  /** Each workspace's `journeys` records: the journeys versions runs keep, and the latest. */
  private readonly journeyLogs = new Map<string, JourneyLog>();
  private closed = false;
  /** Running, or stopped by a storage fault past an append and recovering (`failStop`). */
  private readonly recovery: WriterRecovery;
  /** Reads of profiles, timelines, merges, segments and exposures, beside the writer. */
  readonly reads: ReadModel;
  /** What each workspace learned from decisions and goals, counted from the log. */
  readonly learning: EngineLearning;
  /** Exposures decide handed over, on their way to the exposure log (never through the writer). */
  private readonly exposures: ExposureBuffer;
  /** True while `load` rebuilds the view: a fault then fails the load, which recovery retries. */
  private loading = false;
  /** The view commit being written, if one is: what the store does not show yet. */
  private committing: ViewCommit | undefined;
  /** Whether a segment preview is running (one at a time: each may replay a whole workspace). */
  private previewing = false;
  private readonly onTimerFired: ((lateMs: number) => void) | undefined;

  private constructor(options: EngineOptions) {
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.onTimerFired = options.onTimerFired;
    this.commitEveryEvents = options.commitEveryEvents ?? 1_000;
    this.learning = new EngineLearning(options.learningSnapshotEvery);
    const budget = cacheBudget(options.cacheMb ?? DEFAULT_CACHE_MB);
    this.maxCachedProfiles = options.maxCachedProfiles ?? budget.profiles;
    this.maxCachedKeys = options.maxCachedKeys ?? budget.keys;
    this.groupCommit = new GroupCommit({
      flush: (items) => this.serial.run(() => this.flushGroup(items)),
      maxPending: options.maxPendingEvents ?? 100_000,
      maxGroupItems: options.maxGroupEvents ?? 1_000,
      maxWaitMs: options.maxQueueMs ?? 2_000,
    });
    this.recovery = new WriterRecovery({
      logger: this.logger,
      attempt: () => this.serial.run(() => this.load()),
      onStop: () => this.groupCommit.hold(new TailorError('WRITER_RECOVERING')),
      onRecovered: () => this.groupCommit.release(),
    });
    this.reads = new ReadModel({
      store: this.store,
      view: (workspaceId) => this.view(workspaceId),
      workspace: (workspaceId) => this.requireWorkspace(workspaceId),
      assertWriting: () => this.assertWriting(),
      onWriter: (task) => this.write(task),
      commit: () => this.commit(),
      committing: () => this.committing,
      flushExposures: () => this.exposures.flush(),
    });
    this.exposures = new ExposureBuffer({ log: this.store, logger: this.logger });
  }

  /** Opens the store, loads workspaces, recovers the view by replay, and starts checkpointing. */
  static async open(options: EngineOptions, onProgress?: ProgressListener): Promise<Engine> {
    const engine = new Engine(options);
    await engine.store.migrate();
    await engine.serial.run(() => engine.load(onProgress));
    const interval = options.checkpointIntervalMs ?? 1_000;
    engine.timer = setInterval(() => {
      // A failed commit stops the writer, which logs it once and recovers (`failStop`).
      if (!engine.recovery.recovering) engine.commit().catch(() => undefined);
    }, interval);
    engine.timer.unref();
    engine.dueTimer = setInterval(() => {
      engine.fireDueTimers().catch((error: unknown) => engine.logger.error({ err: error }, 'timer failed'));
    }, options.timerIntervalMs ?? 200);
    engine.dueTimer.unref();
    return engine;
  }

  /**
   * Loads the workspaces and their journeys logs, replays the log past the view checkpoint into
   * fresh views, finishes interrupted rebuilds and puts journeys in force: what `open` does, and
   * what recovery does again after a storage fault. Runs on the writer.
   */
  private async load(onProgress?: ProgressListener): Promise<void> {
    this.loading = true;
    try {
      this.views.clear();
      this.journeyLogs.clear();
      this.uncommittedEvents = 0;
      const checkpoint = await this.store.viewCheckpoint();
      const stored = await this.store.listWorkspaces();
      for (const workspace of stored) {
        this.workspaces.set(workspace.id, compileWorkspace(workspace.definition, workspace.version));
        const log = await JourneyLog.load(this.store, workspace.id);
        this.journeyLogs.set(workspace.id, log);
        this.view(workspace.id).journeys = log.inForceAt(checkpoint);
      }
      this.learning.clear();
      const rows = await this.store.learningStates();
      this.learning.restore({ rows, upTo: checkpoint, workspaces: this.workspaces.values() });
      await this.learning.warm({ log: this.store, upTo: checkpoint, workspaces: this.workspaces.values() });
      await this.recover(onProgress);
      for (const workspace of stored) {
        const compiled = this.workspaces.get(workspace.id);
        if (compiled === undefined) continue;
        if (workspace.viewVersion !== workspace.version) {
          this.logger.info(
            { workspace: workspace.id, version: workspace.version },
            'finishing an interrupted rebuild',
          );
          await this.rebuild(compiled, onProgress);
        }
        await this.putJourneysInForce(compiled);
      }
    } finally {
      this.loading = false;
    }
  }

  /**
   * Whether the writer is stopped by a storage fault and recovering: ingestion, decisions and
   * reads are refused with WRITER_RECOVERING meanwhile.
   */
  get recovering(): boolean {
    return this.recovery.recovering;
  }

  /**
   * Stops the writer after a fault past an append (prefetch, apply, outbox, view commit, an
   * append in doubt): what memory holds past the last durable checkpoint can no longer be
   * trusted, so nothing more is applied or committed. Clients are refused with
   * WRITER_RECOVERING (503) while recovery drops the views and replays the log into new ones
   * (`load`), retrying with back-off until the store answers. Every acknowledged event is in
   * the log, so the replay applies it, once.
   */
  private failStop(error: unknown, during: string): void {
    this.recovery.stop(error, during);
  }

  /** Resolves once the writer is not recovering (at once when it is not stopped). */
  recovered(): Promise<void> {
    return this.recovery.recovered();
  }

  /** Throws WRITER_RECOVERING while the writer is stopped. */
  private assertWriting(): void {
    if (this.recovery.recovering) throw new TailorError('WRITER_RECOVERING');
  }

  /** Runs a task on the writer, after what was submitted before it; refused while the writer recovers. */
  private write<T>(task: () => Promise<T>): Promise<T> {
    return this.serial.run(() => {
      this.assertWriting();
      return task();
    });
  }

  /**
   * Applies what an append logged; a fault stops the writer (`failStop`), since the events are
   * durable and the replay applies them. While loading, the fault fails the load instead.
   */
  private async applyOrStop(items: EventToAppend[], outcomes: AppendOutcome[]): Promise<void> {
    try {
      await this.applyAppended(items, outcomes);
    } catch (error) {
      if (this.loading) throw error;
      this.failStop(error, 'applying appended events');
    }
  }

  /** The outbox: sends listed, re-driven and confirmed by routes, claimed by the dispatcher. */
  get outbox(): Outbox {
    return this.store;
  }

  /** The API keys, for the key ring and the key routes. */
  get keys(): KeyStore {
    return this.store;
  }

  /** The kept versions of workspace definitions (saved by `applyWorkspace`), for the version routes. */
  get versions(): Pick<WorkspaceStore, 'workspaceVersions' | 'workspaceVersion'> {
    return this.store;
  }

  /** The audit log: what was done to people's data, never the data itself. */
  get audit(): Pick<ErasureStore, 'auditLog'> {
    return this.store;
  }

  /**
   * The view as last committed to the store, without the writer's changes since: for reads that
   * must not wait for the writer (a segment's size while its back-fill runs, a scan after `commit`).
   */
  get storedView(): ViewStore {
    return this.store;
  }

  /** The ids of every workspace. */
  workspaceIds(): string[] {
    return [...this.workspaces.keys()];
  }

  /** The compiled workspace, when it exists. */
  workspace(id: string): CompiledWorkspace | undefined {
    return this.workspaces.get(id);
  }

  /** Progress of a workspace's running rebuild, if one is running. */
  rebuildProgress(workspaceId: string): { done: number; total: number } | undefined {
    return this.rebuilds.get(workspaceId);
  }

  /**
   * The earliest moment a profile held in memory falls due (a detector's wait, a window's end),
   * if any: past the clock, timers are late by the difference.
   */
  nextDue(workspaceId: string): number | undefined {
    return this.workspaces.has(workspaceId) ? this.view(workspaceId).dues.peek() : undefined;
  }

  /** What the views hold in memory, over every workspace: cached profiles and identifier index entries (with aliases). */
  cacheSize(): { profiles: number; keys: number } {
    let profiles = 0;
    let keys = 0;
    for (const view of this.views.values()) {
      profiles += view.profiles.size;
      keys += view.keyCount;
    }
    return { profiles, keys };
  }

  /** Events waiting for the next group commit. */
  get pendingEvents(): number {
    return this.groupCommit.pending;
  }

  /** How long the oldest client event waiting for the disk has waited (ms): how far the writer is behind. */
  queueWaitMs(): number {
    return this.groupCommit.oldestClientWaitMs();
  }

  /**
   * Appends events durably and applies them to profiles. Resolves once they are on disk and
   * applied; rejects with OVERLOADED when too many events are waiting.
   */
  ingest(workspaceId: string, events: TailorEvent[]): Promise<AppendOutcome[]> {
    if (this.closed) return Promise.reject(new Error('engine is closed'));
    if (this.recovery.recovering) return Promise.reject(new TailorError('WRITER_RECOVERING'));
    if (!this.workspaces.has(workspaceId))
      return Promise.reject(new Error(`unknown workspace ${workspaceId}`));
    return this.groupCommit.submit(events.map((event) => ({ workspaceId, event })));
  }

  /**
   * Saves a workspace definition and, when it changed an existing workspace, rebuilds that
   * workspace's profiles by replaying its events through the new definition.
   */
  applyWorkspace(
    definition: WorkspaceDefinition,
    options: { onProgress?: ProgressListener; source?: VersionSource } = {},
  ): Promise<CompiledWorkspace> {
    const { onProgress, source } = options;
    return this.write(async () => {
      const stored = await this.store.saveWorkspace(definition, source);
      const compiled = compileWorkspace(stored.definition, stored.version);
      this.workspaces.set(stored.id, compiled);
      const track: ProgressListener = (progress) => {
        this.rebuilds.set(stored.id, progress);
        onProgress?.(progress);
      };
      try {
        await this.rebuild(compiled, track);
        await this.putJourneysInForce(compiled);
      } catch (error) {
        // The saved definition and the view disagree now: recovery finishes the rebuild.
        this.failStop(error, 'rebuilding a workspace');
        throw error;
      } finally {
        this.rebuilds.delete(stored.id);
      }
      return compiled;
    });
  }

  /**
   * Pauses or resumes a journey from this point of the log: while paused, no run enters it and
   * its runs hold before each action (decide, send, update); a resume lets the held runs go on
   * at once. Returns false when the journey already was in that state.
   */
  setJourneyPaused(workspaceId: string, key: string, paused: boolean): Promise<boolean> {
    return this.write(async () => {
      const workspace = this.requireWorkspace(workspaceId);
      if (!(workspace.definition.journeys ?? []).some((journey) => journey.key === key))
        throw new TailorError('JOURNEY_NOT_FOUND', `The workspace has no journey \`${key}\``);
      const record = this.journeyLog(workspaceId).pauseRecord(key, paused, this.clock());
      if (record === undefined) return false;
      await this.appendAndApply([{ workspaceId, event: record }]);
      return true;
    });
  }

  /** Whether a journey is paused where the log stands. */
  journeyPaused(workspaceId: string, key: string): boolean {
    return this.view(workspaceId).journeys.paused.has(key);
  }

  /** The steps of a journey as a run of `version` sees them (the current ones when that version is unknown). */
  journeySteps(workspaceId: string, key: string, version: number): readonly { key: string; type: string }[] {
    const view = this.view(workspaceId);
    const journey = view.journeys.pinned(version)?.byKey.get(key) ?? view.journeys.current.byKey.get(key);
    return journey?.steps ?? [];
  }

  /**
   * Logs events Tailor records itself (decisions served) without waiting for them: they are
   * facts about what was shown, not events a client sent, so a request need not wait for disk.
   * A failure is logged.
   */
  record(workspaceId: string, events: TailorEvent[]): void {
    if (this.closed || events.length === 0) return;
    this.groupCommit
      .submit(
        events.map((event) => ({ workspaceId, event })),
        'internal',
      )
      .catch((error: unknown) => this.logger.error({ err: error }, 'recorded events were not logged'));
  }

  /** Hands a decision's exposures to the exposure log without waiting (see `ExposureBuffer`). */
  recordExposures(rows: ExposureRow[]): void {
    if (!this.closed) this.exposures.add(rows);
  }

  /**
   * Fires timers: for each workspace where some profile's audience is due by now (a detector's
   * wait ended, a window ran out), logs a timer record and applies it, which brings every due
   * profile up to now and records what changed. Runs on an interval; tests call it directly.
   * Resolves once the record is applied (or at once when nothing is due).
   */
  async fireDueTimers(): Promise<void> {
    if (this.closed || this.firing || this.recovery.recovering) return;
    this.firing = true;
    try {
      for (const [workspaceId, workspace] of this.workspaces) {
        if (workspace.audience.empty && this.view(workspaceId).journeys.current.empty) continue;
        const at = this.clock();
        if (!(await anythingDue(this.store, this.view(workspaceId), at))) continue;
        const due = this.view(workspaceId).dues.peek();
        if (due !== undefined && due <= at) this.onTimerFired?.(at - due);
        await this.groupCommit.submit([{ workspaceId, event: timerRecord(at) }], 'internal');
      }
    } finally {
      this.firing = false;
    }
  }

  /**
   * Counts the profiles a draft segment condition matches now, without saving it, and off the
   * writer: ingestion goes on meanwhile, and one preview runs at a time (PREVIEW_BUSY). A
   * condition on profile data is tested on every stored profile, as the in-memory view has it
   * where it changed since the last commit; one with `$performed` needs counts no profile keeps
   * yet, so the workspace's events up to now are replayed into a view of its own. Either way,
   * the answer is what a saved segment would hold.
   */
  async previewSegment(
    workspaceId: string,
    condition: unknown,
    onProgress?: ProgressListener,
  ): Promise<SegmentPreview> {
    this.assertWriting();
    const workspace = this.requireWorkspace(workspaceId);
    const draft = draftSegment(workspace, condition, this.clock());
    if (this.previewing) throw new TailorError('PREVIEW_BUSY');
    this.previewing = true;
    try {
      if (draft.needsReplay) {
        const view = await this.replayInto(draft.compiled, onProgress);
        for (const profile of view.profiles.values()) draft.count(profile);
        return draft.result();
      }
      await scanProfiles({
        store: this.store,
        view: this.view(workspaceId),
        visit: (profile) => draft.count(profile),
      });
      return draft.result();
    } finally {
      this.previewing = false;
    }
  }

  /** Writes every change to the view since the last commit, with the log position it reflects. */
  commit(): Promise<void> {
    return this.write(() => this.commitNow());
  }

  /**
   * Erases a person (`erasePerson`) on the writer, after committing pending changes and then the
   * learning state without the decisions it kept for them: the data goes last, so a crash
   * midway leaves nothing of them that a retried erasure would not remove.
   */
  erase(workspaceId: string, profileId: string, at: number): Promise<{ events: number }> {
    return this.write(async () => {
      await this.exposures.flush();
      await this.commitNow();
      const workspace = this.requireWorkspace(workspaceId);
      const view = this.view(workspaceId);
      const rules = workspace.definition.identity;
      const person = await personToErase({ store: this.store, view, rules, profileId });
      this.learning.forget(workspaceId, person.everyId);
      await this.commitNow();
      const erased = await erasePerson({ store: this.store, view, person, at });
      await this.commitNow();
      return erased;
    });
  }

  /** Stops checkpointing, drains pending events and commits the view. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.dueTimer !== undefined) clearInterval(this.dueTimer);
    await this.groupCommit.settled();
    await this.exposures.close().catch((error: unknown) => {
      this.logger.error({ err: error, lost: this.exposures.pending }, 'exposures not written before close');
    });
    const recovering = this.recovery.recovering;
    await this.recovery.close();
    if (recovering) {
      // What memory holds is not trusted: the next open replays past the last checkpoint.
      this.groupCommit.abandon(new TailorError('WRITER_RECOVERING'));
    } else
      await this.serial.run(() => {
        // The next start then takes every learning state back as of the checkpoint.
        this.learning.keepAll();
        return this.commitNow();
      });
    await this.store.close();
  }

  private requireWorkspace(id: string): CompiledWorkspace {
    const workspace = this.workspaces.get(id);
    if (workspace === undefined) throw new TailorError('NOT_FOUND', `unknown workspace ${id}`);
    return workspace;
  }

  private view(workspaceId: string): WorkspaceView {
    let view = this.views.get(workspaceId);
    if (view === undefined) {
      view = new WorkspaceView(workspaceId);
      this.views.set(workspaceId, view);
    }
    return view;
  }

  /**
   * One group commit's flush: prefetches, appends and applies. What the events touch is read
   * before the append, so a database that goes away then fails the group with nothing written,
   * rather than after it, with events logged but not applied. An append that threw wrote
   * nothing (the store's contract), so the group may be retried submission by submission —
   * unless the store is unavailable, when every retry would fail too and the group fails at
   * once. An append in doubt is settled by reading the log back (`settleInDoubt`).
   */
  private async flushGroup(items: EventToAppend[]): Promise<FlushOutcome<AppendOutcome>> {
    if (this.recovery.recovering) return { kind: 'failed', error: new TailorError('WRITER_RECOVERING') };
    let outcomes: AppendOutcome[];
    try {
      await this.prefetchItems(items);
      outcomes = await this.store.appendEvents(items);
    } catch (error) {
      if (isAppendInDoubt(error)) return this.settleInDoubt(items, error);
      if (!refusesRetry(error)) return { kind: 'unwritten', error };
      // Nothing was written, but the store is away: the writer holds until it is back, so
      // Tailor's own records in the group wait to be written rather than being dropped.
      this.failStop(error, 'appending events');
      return { kind: 'failed', error };
    }
    // Logged is acknowledged: a fault while applying stops the writer, and its replay applies them.
    await this.applyOrStop(items, outcomes);
    return { kind: 'flushed', results: outcomes };
  }

  /** Loads into the views what the items' events touch (see `prefetch`), before anything is written. */
  private async prefetchItems(items: EventToAppend[]): Promise<void> {
    const byWorkspace = new Map<string, TailorEvent[]>();
    for (const { workspaceId, event } of items) {
      if (isTimerRecord(event) || isJourneysRecord(event)) continue;
      const list = byWorkspace.get(workspaceId);
      if (list === undefined) byWorkspace.set(workspaceId, [event]);
      else list.push(event);
    }
    for (const [workspaceId, events] of byWorkspace) {
      const workspace = this.workspaces.get(workspaceId);
      if (workspace === undefined) continue;
      const rules = workspace.definition.identity;
      const identifiers = events.map((event) => readEventIdentifiers(event, rules));
      await prefetch({ store: this.store, view: this.view(workspaceId), identifiers });
    }
  }

  /**
   * An append whose COMMIT failed may or may not be in the log: the log read back answers it
   * (`readBackAppend`). Landed, its events are applied now (a retry is answered as duplicates);
   * not landed, the group fails at once with the commit's error (STORE_UNAVAILABLE when the
   * connection was lost). When the log cannot be read, the writer stops (`failStop`): its replay
   * applies whatever the append did log, and the client's retry is answered as duplicates.
   */
  private async settleInDoubt(
    items: EventToAppend[],
    inDoubt: AppendInDoubtError,
  ): Promise<FlushOutcome<AppendOutcome>> {
    let outcomes: AppendOutcome[] | undefined;
    try {
      outcomes = await readBackAppend({ store: this.store, items, appliedSeq: this.appliedSeq });
    } catch (error) {
      this.failStop(error, 'reading back an append in doubt');
      return { kind: 'failed', error: isStoreUnavailable(error) ? error : inDoubt };
    }
    if (outcomes === undefined) {
      return { kind: 'failed', error: isStoreUnavailable(inDoubt.cause) ? inDoubt.cause : inDoubt };
    }
    await this.applyOrStop(items, outcomes);
    return { kind: 'flushed', results: outcomes };
  }

  private async appendAndApply(items: EventToAppend[]): Promise<AppendOutcome[]> {
    const outcomes = await this.store.appendEvents(items);
    await this.applyOrStop(items, outcomes);
    return outcomes;
  }

  /** Applies the events an append logged (not its duplicates), and commits the view when enough piled up. */
  private async applyAppended(items: EventToAppend[], outcomes: AppendOutcome[]): Promise<void> {
    const logged: LoggedEvent[] = [];
    outcomes.forEach((outcome, i) => {
      const item = items[i];
      if (outcome.kind === 'appended' && item !== undefined) {
        logged.push(toLoggedEvent(item.event, outcome.seq, item.workspaceId));
      }
    });
    await this.applyLogged(logged);
    if (this.uncommittedEvents >= this.commitEveryEvents) this.commitAfterThis();
  }

  /**
   * Commits the view on the writer once the current task ends, so the requests of the group
   * that filled it are answered first, without waiting for the commit. While loading, at once.
   */
  private commitAfterThis(): void {
    if (this.commitQueued) return;
    this.commitQueued = true;
    this.serial
      .run(async () => {
        this.commitQueued = false;
        if (!this.recovery.recovering) await this.commitNow();
      })
      // A failed commit stops the writer, which logs it once and recovers (`failStop`).
      .catch(() => undefined);
  }

  /** Applies logged events (in log order) to their workspaces' views. */
  private async applyLogged(events: LoggedEvent[]): Promise<void> {
    const byWorkspace = new Map<string, LoggedEvent[]>();
    for (const event of events) {
      const list = byWorkspace.get(event.workspaceId);
      if (list === undefined) byWorkspace.set(event.workspaceId, [event]);
      else list.push(event);
    }
    for (const [workspaceId, list] of byWorkspace) {
      const workspace = this.workspaces.get(workspaceId);
      if (workspace === undefined) continue;
      const view = this.view(workspaceId);
      let start = 0;
      for (let i = 0; i <= list.length; i += 1) {
        const record = list[i];
        if (record !== undefined && !isTimerRecord(record) && !isJourneysRecord(record)) continue;
        await this.applyRun(view, workspace, list.slice(start, i));
        if (record !== undefined && isTimerRecord(record)) await this.fireTimer(view, workspace, record);
        else if (record !== undefined) await this.applyJourneysRecord(view, workspace, record);
        start = i + 1;
      }
    }
    const last = events.at(-1);
    if (last !== undefined && last.seq > this.appliedSeq) this.appliedSeq = last.seq;
    this.uncommittedEvents += events.length;
  }

  /** Applies a run of received events: prefetches what they touch, then applies them in order. */
  private async applyRun(
    view: WorkspaceView,
    workspace: CompiledWorkspace,
    list: LoggedEvent[],
  ): Promise<void> {
    if (list.length === 0) return;
    const rules = workspace.definition.identity;
    const identifiers = list.map((event) => readEventIdentifiers(event, rules));
    await prefetch({ store: this.store, view, identifiers });
    const hits: TriggerHit[] = [];
    const goals: TailorEvent[] = [];
    const sends: SendRecord[] = [];
    const channels = workspace.definition.channels;
    const ads = channels !== undefined && hasAdsChannel(channels);
    const contacts = contactProjectorOf(workspace);
    let sliceStart = performance.now();
    for (let i = 0; i < list.length; i += 1) {
      if (performance.now() - sliceStart >= APPLY_SLICE_MS) {
        await yieldToIo();
        sliceStart = performance.now();
      }
      const event = list[i] as LoggedEvent;
      const watch =
        contacts === undefined
          ? undefined
          : (profile: ProfileState) => contactFingerprint(contacts(profile, event.timestamp));
      const outcome = this.applyOne({ view, workspace, event, read: identifiers[i], watch });
      this.learning.observe(workspace, event);
      if (outcome?.kind !== 'applied') continue;
      goals.push(...this.learning.goalEvents({ workspace, view, profileId: outcome.profileId, event }));
      triggerHits(workspace, outcome.profileId, [event, ...outcome.derived], hits);
      journeyHits(outcome.profileId, outcome.effects, hits);
      if (channels === undefined) continue;
      const profile = view.profiles.get(outcome.profileId);
      if (profile === undefined) continue;
      if (event.event === DECISION_MADE) {
        const send = sendFromDecision({ profile, decision: event, now: this.clock() });
        if (send !== undefined) sends.push(send);
      }
      if (ads)
        sends.push(
          ...adsSends({ channels, profile, received: event, derived: outcome.derived, now: this.clock() }),
          ...journeyAudienceSends({ channels, profile, effects: outcome.effects, now: this.clock() }),
        );
      const upsert =
        contacts === undefined
          ? undefined
          : contactUpsert({
              workspaceId: view.workspaceId,
              messageId: event.messageId,
              profile,
              after: contacts(profile, event.timestamp),
              before: outcome.watched,
              now: this.clock(),
            });
      if (upsert !== undefined) sends.push(upsert);
    }
    this.decideTriggered(view, workspace, hits, goals);
    await this.enqueue(sends);
  }

  /** Puts sends in the outbox and wakes the dispatcher when any was new. */
  private async enqueue(sends: SendRecord[]): Promise<void> {
    if (sends.length > 0 && (await this.store.enqueueSends(sends)) > 0)
      for (const listener of this.sendListeners) listener();
  }

  /** Calls `listener` whenever decisions put new sends in the outbox (the dispatcher wakes on it). */
  onSendsQueued(listener: () => void): void {
    this.sendListeners.push(listener);
  }

  /**
   * Makes the decisions that events or segment entries triggered (`decision_triggers`) and logs
   * each as a `Decision Made` event, without waiting for it: the writer is busy applying. The
   * event's id derives from the triggering event's, so a trigger replayed after a crash is
   * logged once. `recorded` are other events Tailor derived (`Goal Reached`), logged with them.
   */
  private decideTriggered(
    view: WorkspaceView,
    workspace: CompiledWorkspace,
    hits: TriggerHit[],
    recorded: TailorEvent[] = [],
  ): void {
    if (hits.length === 0 && recorded.length === 0) return;
    const model = this.learning.model(view.workspaceId);
    const events = [...recorded, ...triggeredDecisions({ view, workspace, hits, now: this.clock(), model })];
    this.groupCommit
      .submit(
        events.map((event) => ({ workspaceId: view.workspaceId, event })),
        'internal',
      )
      .catch((error: unknown) => this.logger.error({ err: error }, 'triggered decisions were not recorded'));
  }

  /** Applies a timer record to the profiles due at its time (`dueProfileIds`). */
  private async fireTimer(
    view: WorkspaceView,
    workspace: CompiledWorkspace,
    timer: LoggedEvent,
  ): Promise<void> {
    const ids = await dueProfileIds(this.store, view, timer.timestamp);
    const sends: SendRecord[] = [];
    try {
      const hits: TriggerHit[] = [];
      const channels = workspace.definition.channels;
      const ads = channels !== undefined && hasAdsChannel(channels);
      for (const { profileId, derived, effects } of applyTimer({ view, workspace, timer, ids })) {
        triggerHits(workspace, profileId, derived, hits);
        journeyHits(profileId, effects, hits);
        const profile = ads ? view.profiles.get(profileId) : undefined;
        if (channels !== undefined && profile !== undefined)
          sends.push(
            ...adsSends({ channels, profile, derived, now: this.clock() }),
            ...journeyAudienceSends({ channels, profile, effects, now: this.clock() }),
          );
      }
      this.decideTriggered(view, workspace, hits);
    } catch (error) {
      this.logger.error({ err: error, seq: timer.seq }, 'timer could not be applied');
    }
    // A store fault here propagates (and stops the writer), as in `applyRun`.
    await this.enqueue(sends);
  }

  /**
   * Applies a `journeys` record: puts its journeys in force in the view, then lets go on the runs
   * a pause held when the pause is over, and ends the runs of journeys it removed, at its time.
   */
  private async applyJourneysRecord(
    view: WorkspaceView,
    workspace: CompiledWorkspace,
    record: LoggedEvent,
  ): Promise<void> {
    const before = view.journeys;
    view.journeys = this.journeyLog(view.workspaceId).met(record);
    const keys = releasedKeys(before, view.journeys);
    if (keys.size === 0) return;
    // A store fault here propagates (and stops the writer); only applying the record is guarded.
    const ids = await profilesToRelease(this.store, view, keys);
    const sends: SendRecord[] = [];
    const channels = workspace.definition.channels;
    try {
      const hits: TriggerHit[] = [];
      for (const { profileId, derived, effects } of applyRelease({ view, workspace, record, keys, ids })) {
        triggerHits(workspace, profileId, derived, hits);
        journeyHits(profileId, effects, hits);
        // A released run's list changes (a paused journey's held `audience` step) go out like its sends.
        const profile = channels === undefined ? undefined : view.profiles.get(profileId);
        if (channels !== undefined && profile !== undefined)
          sends.push(...journeyAudienceSends({ channels, profile, effects, now: this.clock() }));
      }
      if (!view.complete) this.decideTriggered(view, workspace, hits);
    } catch (error) {
      this.logger.error({ err: error, seq: record.seq }, 'journeys record could not be applied');
    }
    // A store fault here propagates (and stops the writer), as in `applyRun`.
    await this.enqueue(sends);
  }

  /** Logs the record that puts the workspace's journeys in force, unless they already are. */
  private async putJourneysInForce(workspace: CompiledWorkspace): Promise<void> {
    const { id, journeys } = workspace.definition;
    const record = this.journeyLog(id).recordFor(workspace.version, journeys ?? [], this.clock());
    if (record !== undefined) await this.appendAndApply([{ workspaceId: id, event: record }]);
  }

  private journeyLog(workspaceId: string): JourneyLog {
    let log = this.journeyLogs.get(workspaceId);
    if (log === undefined) {
      log = new JourneyLog();
      this.journeyLogs.set(workspaceId, log);
    }
    return log;
  }

  private applyOne(input: {
    view: WorkspaceView;
    workspace: CompiledWorkspace;
    event: LoggedEvent;
    read?: EventIdentifiers;
    watch?: ((profile: ProfileState) => string) | undefined;
  }): ApplyOutcome | undefined {
    const { view, workspace, event, read, watch } = input;
    try {
      const identifiers = read ?? readEventIdentifiers(event, workspace.definition.identity);
      return applyToView({ view, workspace, event, identifiers, ...(watch === undefined ? {} : { watch }) });
    } catch (error) {
      // The event stays in the log; a failure here is a bug, and replay meets it the same way.
      this.logger.error(
        { err: error, seq: event.seq, messageId: event.messageId },
        'event could not be applied',
      );
      return undefined;
    }
  }

  private async commitNow(): Promise<void> {
    let clean = true;
    for (const view of this.views.values()) clean &&= view.clean;
    const learning = await this.learning.snapshots({
      checkpoint: this.appliedSeq,
      workspaces: this.workspaces.values(),
    });
    if (clean && this.uncommittedEvents === 0 && learning.length === 0) return;
    const { commit: taken, restore } = takeCommit(this.views.values(), this.appliedSeq);
    taken.learning = learning;
    // Set before encoding lets reads in: what was taken is not in the views' changes any more.
    this.committing = taken;
    try {
      await this.store.commitView(await encodeCommit(taken, this.views));
    } catch (error) {
      // Nothing counts as committed: the changes stay dirty (so never evicted), and the writer
      // stops and recovers by replay, since the commit may have broken off in doubt.
      restore();
      if (!this.loading) this.failStop(error, 'committing the view');
      throw error;
    } finally {
      this.committing = undefined;
    }
    this.learning.written(learning);
    this.uncommittedEvents = 0;
    for (const view of this.views.values()) {
      view.profiles.compact((id) => view.dirty.has(id));
      view.evict(this.maxCachedProfiles);
      view.evictKeys(this.maxCachedKeys);
    }
  }

  /** Replays the log past the view checkpoint, then rebuilds workspaces whose view is stale. */
  private async recover(onProgress?: ProgressListener): Promise<void> {
    const checkpoint = await this.store.viewCheckpoint();
    const last = await this.store.lastSeq();
    this.appliedSeq = checkpoint;
    let after = checkpoint;
    while (after < last) {
      const page = await this.store.readEvents({ afterSeq: after, limit: REPLAY_PAGE });
      if (page.length === 0) break;
      await this.applyLogged(page);
      after = page.at(-1)?.seq ?? last;
      onProgress?.({ done: after - checkpoint, total: last - checkpoint });
    }
    this.appliedSeq = Math.max(this.appliedSeq, last);
    if (last > checkpoint)
      this.logger.info({ from: checkpoint, to: last }, 'replayed events past the checkpoint');
    await this.commitNow();
  }

  /**
   * Rebuilds one workspace's view from its events into a fresh in-memory view, then replaces
   * the stored view with it in one commit: a crash midway leaves the old view and a
   * `viewVersion` behind the definition, and `open` rebuilds again.
   */
  private async rebuild(workspace: CompiledWorkspace, onProgress?: ProgressListener): Promise<void> {
    await this.commitNow();
    const learning = new LearningState();
    const view = await this.replayInto(workspace, onProgress, learning);
    this.learning.replace(workspace.definition.id, learning, this.appliedSeq);
    this.views.set(workspace.definition.id, view);
    view.rebuiltVersion = workspace.version;
    await this.commitNow();
  }

  /**
   * Replays a workspace's events, up to the last applied one, into a fresh in-memory view, and
   * counts them into `learning` when given.
   */
  private replayInto(
    workspace: CompiledWorkspace,
    onProgress?: ProgressListener,
    learning?: LearningState,
  ): Promise<WorkspaceView> {
    const retainMs = workspace.decisions.goals.longestMs;
    return replayWorkspace({
      log: this.store,
      workspaceId: workspace.definition.id,
      last: this.appliedSeq,
      onProgress,
      apply: async (view, event) => {
        if (isTimerRecord(event))
          applyTimer({ view, workspace, timer: event, ids: view.dues.takeDue(event.timestamp) });
        else if (isJourneysRecord(event)) await this.applyJourneysRecord(view, workspace, event);
        else this.applyOne({ view, workspace, event });
        if (learning !== undefined && event.type === 'track' && recordedByTailor(event))
          learning.observe(event, retainMs);
      },
    });
  }
}

/** Whether the workspace mirrors segments on an ad platform or sends it conversions. */
function hasAdsChannel(channels: ChannelsDef): boolean {
  return (
    channels.meta_audiences !== undefined ||
    channels.google_customer_match !== undefined ||
    channels.meta_conversions !== undefined
  );
}
