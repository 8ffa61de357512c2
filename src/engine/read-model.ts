import type { ProfileState } from '../profile/profile.ts';
import type {
  ExposureLog,
  ExposurePage,
  PlacementExposuresQuery,
  ProfileExposuresQuery,
} from '../store/ports/exposure-log.ts';
import type {
  MembersPage,
  MergeRecord,
  TimelinePage,
  ViewCommit,
  ViewStore,
} from '../store/ports/view-store.ts';
import type { CompiledWorkspace } from './compiled-workspace.ts';
import { exportPerson } from './person-export.ts';
import type { PersonExport } from './person-profiles.ts';
import { resolveProfileRef } from './profile-ref.ts';
import { readSegmentHistory, type SegmentHistory } from './segment-history.ts';
import { scanProfiles } from './view-scan.ts';
import type { WorkspaceView } from './workspace-view.ts';

/** What the read model needs of the writer it reads beside. */
export interface ReadModelHost {
  store: ViewStore & ExposureLog;
  /** The workspace's in-memory view: the changes since the last commit, in front of the store. */
  view(workspaceId: string): WorkspaceView;
  /** The compiled workspace; throws NOT_FOUND when there is none. */
  workspace(workspaceId: string): CompiledWorkspace;
  /** Throws WRITER_RECOVERING while the writer recovers from a storage fault. */
  assertWriting(): void;
  /** Runs a task on the writer, after what was submitted before it. */
  onWriter<T>(task: () => Promise<T>): Promise<T>;
  /** Commits the views (on the writer). */
  commit(): Promise<void>;
  /** The view commit being written, if one is. */
  committing(): ViewCommit | undefined;
  /** Writes the exposures handed over so far. */
  flushExposures(): Promise<void>;
}

/**
 * Reads of profiles, timelines, merges, segments and exposures, beside the writer: from the
 * stored view with the in-memory view in front of it, waiting for the writer (a commit) only
 * when what is read has changes the store does not show yet.
 */
export class ReadModel {
  private readonly host: ReadModelHost;

  constructor(host: ReadModelHost) {
    this.host = host;
  }

  /** Finds a profile by id or `type:value` reference, on the writer (after what was submitted before). */
  findProfile(workspaceId: string, ref: string): Promise<ProfileState | undefined> {
    return this.host.onWriter(() => this.profileOf(workspaceId, ref));
  }

  /**
   * A snapshot of the profile the first resolvable reference names (`user_id:u1`,
   * `anonymous_id:a1`, `email:…`, `prf_…`), read without waiting for the writer: what decisions
   * read on the request path. It reflects every applied event: changed profiles stay in memory
   * until committed, and the store holds the rest.
   */
  async peekProfile(workspaceId: string, refs: readonly string[]): Promise<ProfileState | undefined> {
    this.host.assertWriting();
    for (const ref of refs) {
      const id = await this.resolve(workspaceId, ref);
      if (id !== undefined) return this.load(workspaceId, id);
    }
    return undefined;
  }

  /**
   * A profile's exposures, newest first, those handed over until now included (they are written
   * first); those recorded under an id the profile gained since its last view commit are not yet.
   */
  async exposuresByProfile(query: ProfileExposuresQuery): Promise<ExposurePage> {
    await this.host.flushExposures();
    return this.host.store.exposuresByProfile(query);
  }

  /** A placement's exposures, newest first, those handed over until now included. */
  async exposuresByPlacement(query: PlacementExposuresQuery): Promise<ExposurePage> {
    await this.host.flushExposures();
    return this.host.store.exposuresByPlacement(query);
  }

  /** A profile's events, newest first; committed first only when pending changes touch the profile (`commitFor`). */
  async timeline(
    workspaceId: string,
    profileId: string,
    page: { before?: number; limit: number },
  ): Promise<TimelinePage> {
    await this.commitFor(workspaceId, profileId);
    return this.host.store.timeline({ workspaceId, profileId, ...page });
  }

  /** The merges that formed a profile, oldest first. */
  async mergeHistory(workspaceId: string, profileId: string): Promise<MergeRecord[]> {
    await this.commitFor(workspaceId, profileId);
    return this.host.store.mergeHistory(workspaceId, profileId);
  }

  /**
   * Everything held on a person, and on every profile an erase of it would erase
   * (`exportPerson`), as committed: pending changes and exposures are written first.
   */
  async exportProfile(
    workspaceId: string,
    profileId: string,
  ): Promise<PersonExport & { linked: PersonExport[] }> {
    await this.host.flushExposures();
    await this.host.commit();
    const workspace = this.host.workspace(workspaceId);
    return exportPerson({
      store: this.host.store,
      view: this.host.view(workspaceId),
      rules: workspace.definition.identity,
      profileId,
      profile: await this.findProfile(workspaceId, profileId),
    });
  }

  /** A page of a segment's members, by profile id, with their entry times (pending changes are committed first). */
  async segmentMembers(
    workspaceId: string,
    segment: string,
    page: { after?: string; limit: number },
  ): Promise<MembersPage> {
    await this.host.commit();
    return this.host.store.segmentMembers({ workspaceId, segment, ...page });
  }

  /** How many profiles are in a segment (pending changes are committed first). */
  async segmentSize(workspaceId: string, segment: string): Promise<number> {
    await this.host.commit();
    return this.host.store.segmentSize(workspaceId, segment);
  }

  /** A segment's size, entries and exits by hour from `from`, and latest moves (pending changes are committed first). */
  async segmentHistory(query: {
    workspaceId: string;
    segment: string;
    from: number;
    limit: number;
  }): Promise<SegmentHistory> {
    await this.host.commit();
    return readSegmentHistory(this.host.store, query);
  }

  /**
   * Visits every profile of a workspace as it stands, stored or changed in memory since the last
   * commit (`scanProfiles`): without a commit and without waiting for the writer.
   */
  forEachProfile(workspaceId: string, visit: (profile: ProfileState) => void): Promise<number> {
    this.host.assertWriting();
    this.host.workspace(workspaceId);
    return scanProfiles({ store: this.host.store, view: this.host.view(workspaceId), visit });
  }

  /** The profile `ref` names, from memory or the store. */
  private async profileOf(workspaceId: string, ref: string): Promise<ProfileState | undefined> {
    const id = await this.resolve(workspaceId, ref);
    return id === undefined ? undefined : this.load(workspaceId, id);
  }

  /** The id of the profile `ref` names (`prf_…` or `type:value`), if any. */
  private resolve(workspaceId: string, ref: string): Promise<string | undefined> {
    const workspace = this.host.workspace(workspaceId);
    return resolveProfileRef({ store: this.host.store, view: this.host.view(workspaceId), workspace, ref });
  }

  /** A profile by id, from memory when it changed since the last commit, else from the store. */
  private async load(workspaceId: string, id: string): Promise<ProfileState | undefined> {
    return (
      this.host.view(workspaceId).profiles.get(id) ??
      (await this.host.store.loadProfiles(workspaceId, [id]))[0]
    );
  }

  /**
   * Commits first only when what the store shows of a profile lags what was applied: changes
   * since the last commit, or the commit being written, touch it. Otherwise a read of its
   * timeline or merges goes straight to the store, without waiting for the writer.
   */
  private async commitFor(workspaceId: string, profileId: string): Promise<void> {
    this.host.assertWriting();
    const view = this.host.view(workspaceId);
    const inFlight = this.host.committing();
    const touched =
      view.touchesProfile(profileId) ||
      (inFlight !== undefined &&
        (inFlight.eventLinks.some((link) => view.resolve(link.profileId) === profileId) ||
          inFlight.merges.some((merge) => view.resolve(merge.intoId) === profileId) ||
          inFlight.derivedEvents.some((row) => view.resolve(row.profileId) === profileId) ||
          inFlight.profiles.some((profile) => profile.id === profileId)));
    if (touched) await this.host.commit();
  }
}
