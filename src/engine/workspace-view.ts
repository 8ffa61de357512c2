import { identifierKey } from '../identity/identifier.ts';
import type { IdentityGraph } from '../identity/resolve-identity.ts';
import { type JourneysInForce, NO_JOURNEYS } from '../journey/journeys-in-force.ts';
import type { ProfileState } from '../profile/profile.ts';
import type { DerivedEventRow, MergeRecord } from '../store/ports/view-store.ts';
import type { CompiledWorkspace } from './compiled-workspace.ts';
import { DueHeap } from './due-heap.ts';
import { ProfileCache } from './profile-cache.ts';
import { SegmentHourCounts } from './segment-hour-counts.ts';

/**
 * What changed in a view since its last commit, taken out of it for one commit: put back with
 * `restoreChanges` when that commit fails, so nothing changed is lost or left out of a later one.
 */
export interface ViewChanges {
  rebuiltVersion: number | undefined;
  dirty: Set<string>;
  dirtyKeys: Set<string>;
  deleted: string[];
  merges: MergeRecord[];
  links: { seq: number; profileId: string }[];
  derived: DerivedEventRow[];
  memberships: Set<string>;
  segmentHours: SegmentHourCounts;
}

/**
 * One workspace's materialized view held in memory: profiles, the identifier index and
 * merged-id aliases, with what changed since the last view commit. The store holds the
 * committed view; this is a write-back cache in front of it, filled by `ViewLoader`.
 */
export class WorkspaceView implements IdentityGraph {
  readonly workspaceId: string;
  /** Cached profiles by id: live objects, and compact ones committed since (`ProfileCache`). */
  readonly profiles = new ProfileCache();
  /** Identifier key → profile id; `null` records a key known to be absent from the store. */
  readonly index = new Map<string, string | null>();
  /** Merged profile id → surviving id, for merges not yet committed and ids seen since. */
  readonly aliases = new Map<string, string>();

  /** Profiles changed since the last commit. */
  dirty = new Set<string>();
  /** Identifier keys set since the last commit. */
  dirtyKeys = new Set<string>();
  deleted: string[] = [];
  merges: MergeRecord[] = [];
  links: { seq: number; profileId: string }[] = [];
  /** Events the audience derived since the last commit. */
  derived: DerivedEventRow[] = [];
  /** Profiles whose segment memberships changed since the last commit. */
  memberships = new Set<string>();
  /** Segment entries and exits since the last commit, by hour. */
  segmentHours: SegmentHourCounts;
  /** When each cached profile's audience is next due. */
  readonly dues = new DueHeap();
  /**
   * Set while the view is rebuilt from the log: it then holds the whole workspace, so a key it
   * does not know is absent and nothing is read from the (stale) stored view.
   */
  complete = false;
  /** Set when the view was rebuilt: the next commit replaces the stored view with it. */
  rebuiltVersion: number | undefined;
  /** The journeys in force where the view stands in the log (set by `journeys` records). */
  journeys: JourneysInForce = NO_JOURNEYS;
  private scoped:
    | { workspace: CompiledWorkspace; journeys: JourneysInForce; scope: CompiledWorkspace }
    | undefined;

  constructor(workspaceId: string) {
    this.workspaceId = workspaceId;
    this.segmentHours = new SegmentHourCounts(workspaceId);
  }

  /** The workspace with the journeys in force here in place of its definition's (made once per change). */
  inForce(workspace: CompiledWorkspace): CompiledWorkspace {
    const cached = this.scoped;
    if (cached?.workspace === workspace && cached.journeys === this.journeys) return cached.scope;
    const scope = { ...workspace, journeys: this.journeys };
    this.scoped = { workspace, journeys: this.journeys, scope };
    return scope;
  }

  /** Follows merged-id aliases to the surviving profile id. */
  resolve(id: string): string {
    let current = id;
    for (let next = this.aliases.get(current); next !== undefined; next = this.aliases.get(current)) {
      current = next;
    }
    return current;
  }

  profileIdFor(key: string): string | undefined {
    const id = this.index.get(key);
    return id == null ? undefined : this.resolve(id);
  }

  /** Whether an identifier key points at a profile; one function for the view's lifetime. */
  readonly isKnown = (key: string): boolean => this.profileIdFor(key) !== undefined;

  identifiersOf(profileId: string): Record<string, string[]> {
    return this.profiles.get(profileId)?.identifiers ?? {};
  }

  /** Points an identifier key at a profile and marks it for the next commit. */
  setKey(key: string, profileId: string): void {
    this.index.set(key, profileId);
    this.dirtyKeys.add(key);
  }

  /** Keeps a cached profile's next due moment in `dues`. */
  scheduleDue(profile: ProfileState): void {
    this.dues.schedule(profile.id, profile.audience?.due);
  }

  /**
   * Records that `fromId` was merged into `intoId` and no longer exists; its memberships (the
   * profile's before the merge) count as exits at the merge, since its rows go with it.
   */
  absorb(record: MergeRecord, from: ProfileState): void {
    for (const segment of Object.keys(from.audience?.segments ?? {}))
      this.segmentHours.count(segment, record.at, 'exits');
    this.profiles.delete(record.fromId);
    this.dues.forget(record.fromId);
    this.memberships.delete(record.fromId);
    this.dirty.delete(record.fromId);
    this.aliases.set(record.fromId, record.intoId);
    this.deleted.push(record.fromId);
    this.merges.push(record);
  }

  /**
   * Forgets erased profiles — by their ids and the ids merged into them — and every index entry
   * and alias that leads to one, so nothing in memory still resolves to the person. Index
   * entries of their identifiers become known-absent: the store no longer has them either.
   */
  forget(profiles: readonly ProfileState[]): void {
    const ids = new Set<string>();
    for (const profile of profiles) {
      ids.add(profile.id);
      for (const merged of profile.mergedIds) ids.add(merged);
      for (const [type, values] of Object.entries(profile.identifiers)) {
        for (const value of values) this.index.set(identifierKey({ type, value }), null);
      }
    }
    for (const [key, id] of this.index)
      if (id !== null && ids.has(this.resolve(id))) this.index.set(key, null);
    for (const [from, into] of this.aliases) {
      if (ids.has(from) || ids.has(this.resolve(into))) ids.add(from);
    }
    for (const id of ids) {
      this.profiles.delete(id);
      this.dues.forget(id);
      this.memberships.delete(id);
      this.dirty.delete(id);
      this.aliases.delete(id);
    }
  }

  /**
   * Takes the changes since the last commit out of the view for a commit; changes made while
   * that commit is written collect afresh. A rebuilt view stops being complete: once the
   * commit lands, the store holds the whole workspace.
   */
  takeChanges(): ViewChanges {
    const taken: ViewChanges = {
      rebuiltVersion: this.rebuiltVersion,
      dirty: this.dirty,
      dirtyKeys: this.dirtyKeys,
      deleted: this.deleted,
      merges: this.merges,
      links: this.links,
      derived: this.derived,
      memberships: this.memberships,
      segmentHours: this.segmentHours,
    };
    if (this.rebuiltVersion !== undefined) this.complete = false;
    this.rebuiltVersion = undefined;
    this.dirty = new Set();
    this.dirtyKeys = new Set();
    this.deleted = [];
    this.merges = [];
    this.links = [];
    this.derived = [];
    this.memberships = new Set();
    this.segmentHours = new SegmentHourCounts(this.workspaceId);
    return taken;
  }

  /**
   * Puts back changes a failed commit took (`takeChanges`), ahead of those made since, so the
   * next commit writes them all, in order; a rebuilt view is complete again until it is committed.
   */
  restoreChanges(taken: ViewChanges): void {
    if (taken.rebuiltVersion !== undefined) {
      this.rebuiltVersion ??= taken.rebuiltVersion;
      this.complete = true;
    }
    for (const id of this.dirty) taken.dirty.add(id);
    for (const key of this.dirtyKeys) taken.dirtyKeys.add(key);
    for (const id of this.memberships) taken.memberships.add(id);
    this.dirty = taken.dirty;
    this.dirtyKeys = taken.dirtyKeys;
    this.memberships = taken.memberships;
    taken.segmentHours.add(this.segmentHours);
    this.segmentHours = taken.segmentHours;
    this.deleted = prepend(taken.deleted, this.deleted);
    this.merges = prepend(taken.merges, this.merges);
    this.links = prepend(taken.links, this.links);
    this.derived = prepend(taken.derived, this.derived);
  }

  /**
   * Whether changes since the last commit touch what the store shows of `profileId`: events
   * linked or derived for it, or merges into it. A read of its timeline or merges must commit
   * them first.
   */
  touchesProfile(profileId: string): boolean {
    return (
      this.dirty.has(profileId) ||
      this.links.some((link) => this.resolve(link.profileId) === profileId) ||
      this.derived.some((row) => this.resolve(row.profileId) === profileId) ||
      this.merges.some((merge) => this.resolve(merge.intoId) === profileId)
    );
  }

  /** True when nothing changed since the last commit. */
  get clean(): boolean {
    return (
      this.rebuiltVersion === undefined &&
      this.dirty.size === 0 &&
      this.dirtyKeys.size === 0 &&
      this.deleted.length === 0 &&
      this.links.length === 0 &&
      this.derived.length === 0 &&
      this.memberships.size === 0 &&
      this.segmentHours.size === 0
    );
  }

  /** Identifier index entries and merge aliases held, which `evictKeys` bounds. */
  get keyCount(): number {
    return this.index.size + this.aliases.size;
  }

  /**
   * Bounds the identifier index and the merge aliases, which grow with every identifier ever
   * seen (anonymous ids, misses cached as absent): once over `keep`, committed entries go,
   * oldest first, down to half of it — they are in the store, and `prefetch` reads them back.
   * Aliases of committed merges go only all at once with every committed index entry, since
   * an entry may still name a merged id. Entries changed since the last commit always stay.
   * Never while the view is complete (being rebuilt): the store is behind it then.
   */
  evictKeys(keep: number): void {
    if (this.complete || this.keyCount <= keep) return;
    if (this.aliases.size > keep / 4) {
      const pending = new Set(this.merges.map((merge) => merge.fromId));
      for (const from of this.aliases.keys()) if (!pending.has(from)) this.aliases.delete(from);
      for (const key of this.index.keys()) if (!this.dirtyKeys.has(key)) this.index.delete(key);
      return;
    }
    for (const key of this.index.keys()) {
      if (this.keyCount <= keep / 2) break;
      if (!this.dirtyKeys.has(key)) this.index.delete(key);
    }
  }

  /** Forgets clean cached profiles, oldest first, until at most `keep` remain. */
  evict(keep: number): void {
    if (this.profiles.size <= keep) return;
    for (const id of this.profiles.keys()) {
      if (this.profiles.size <= keep) break;
      if (this.dirty.has(id)) continue;
      this.profiles.delete(id);
      this.dues.forget(id);
    }
  }
}

/** `earlier` followed by `later`, by loops: either can hold more rows than a call takes arguments. */
function prepend<T>(earlier: T[], later: T[]): T[] {
  for (const row of later) earlier.push(row);
  return earlier;
}
