import type { LoggedEvent } from '../../ingest/event.ts';
import type { ProfileState } from '../../profile/profile.ts';

/**
 * The materialized view: profiles, the identifier index, merges, event links, derived events and
 * segment memberships, written atomically up to a checkpoint of the log (`commitView`) and read
 * by id, by index, by segment, by due time and as a timeline.
 */
export interface ViewStore {
  /** Looks up identifier keys (`type:value`) in the index; absent keys are not in the result. */
  findProfileIds(workspaceId: string, keys: string[]): Promise<Map<string, string>>;
  /** Loads profiles by id; ids merged into another profile resolve to the survivor. */
  loadProfiles(workspaceId: string, ids: string[]): Promise<ProfileState[]>;
  /** The surviving profile id for `id` (itself when not merged); undefined when unknown. */
  resolveProfileId(workspaceId: string, id: string): Promise<string | undefined>;
  /** Writes a view commit atomically (see `ViewCommit`). */
  commitView(commit: ViewCommit): Promise<void>;
  /** The checkpoint of the last view commit (0 when none). */
  viewCheckpoint(): Promise<number>;
  /** Every workspace's learning state as last written by a view commit (see `ViewCommit.learning`). */
  learningStates(): Promise<LearningStateRow[]>;
  /** Number of profiles in a workspace's view. */
  countProfiles(workspaceId: string): Promise<number>;
  /** Profiles in id order after `after`, at most `limit` (to walk every profile of a workspace). */
  scanProfiles(query: { workspaceId: string; after?: string; limit: number }): Promise<ProfileState[]>;
  /**
   * Profiles whose `audience.due` is at or before `at`, by due then id, after the cursor `after`
   * (the last row of the previous page), at most `limit`.
   */
  dueProfiles(query: {
    workspaceId: string;
    at: number;
    after?: DueProfile;
    limit: number;
  }): Promise<DueProfile[]>;
  /** Members of a segment in profile id order after `after`, at most `limit`. */
  segmentMembers(query: {
    workspaceId: string;
    segment: string;
    after?: string;
    limit: number;
  }): Promise<MembersPage>;
  /** Number of members of a segment. */
  segmentSize(workspaceId: string, segment: string): Promise<number>;
  /**
   * A segment's entries and exits counted by hour, for the hours starting at or after `from`
   * (epoch ms), oldest first; hours with neither are absent.
   */
  segmentHours(query: { workspaceId: string; segment: string; from: number }): Promise<SegmentHour[]>;
  /**
   * The segment's latest `Segment Entered` and `Segment Exited` events, newest first by log
   * position, each with the profile it was derived for (which may have been merged since).
   */
  segmentMoves(query: { workspaceId: string; segment: string; limit: number }): Promise<SegmentMove[]>;
  /**
   * A profile's events, newest first by log position, with the events derived for it: each
   * derived event comes right after its cause (`seq`) in time order, that is before it in this
   * newest-first list.
   */
  timeline(query: {
    workspaceId: string;
    profileId: string;
    before?: number;
    limit: number;
  }): Promise<TimelinePage>;
  /** Merges into this profile (directly or through profiles merged into it), oldest first. */
  mergeHistory(workspaceId: string, profileId: string): Promise<MergeRecord[]>;
}

/**
 * Changes to the materialized view (profiles and identity graph) up to `checkpoint`,
 * written atomically: after a crash the view is exactly as of some checkpoint, and replaying
 * the log after it reproduces the rest.
 */
export interface ViewCommit {
  /** The log position the view reflects once this commit is written. */
  checkpoint: number;
  /**
   * Workspaces whose view was rebuilt from the log: their stored view (profiles, identifiers,
   * merges, links) is cleared first, in the same transaction, and their `viewVersion` set.
   */
  rebuilt: { workspaceId: string; version: number }[];
  /** Profiles to insert or replace, whole. */
  profiles: ProfileState[];
  /**
   * `encodeProfile` of each of `profiles`, in the same order, when the caller encoded them
   * already: a store that keeps profiles in that encoding writes these bytes as they are.
   */
  encodedProfiles?: Uint8Array[];
  /** Profiles that ceased to exist because they were merged into another (by id). */
  deletedProfiles: { workspaceId: string; id: string }[];
  /** Identifier index entries (`type:value` → profile id) to set. */
  identifiers: { workspaceId: string; key: string; profileId: string }[];
  /** Merges to record; the store also points `fromId` (and anything that pointed at it) to `intoId`. */
  merges: MergeRecord[];
  /** Which profile each applied event belongs to (for timelines, export and erasure). */
  eventLinks: { workspaceId: string; seq: number; profileId: string }[];
  /** Events Tailor derived (`Segment Entered`, `Checkout Abandoned`), to add to profiles' timelines. */
  derivedEvents: DerivedEventRow[];
  /** Profiles whose segment memberships changed: each replaces all of that profile's memberships. */
  memberships: MembershipRow[];
  /**
   * Segment entries and exits to add to the counts by hour (absent: none). A rebuilt workspace's
   * counts are cleared with its view, so replay counts them again from the start.
   */
  segmentHours?: SegmentHour[];
  /**
   * Learning states to keep (absent: none), each replacing its workspace's. A rebuilt
   * workspace's is cleared with its view, before these are written.
   */
  learning?: LearningStateRow[];
}

/**
 * A workspace's learning state (what decisions learned from goals) as it was once the log was
 * counted up to `seq`, kept so a start counts only the events after it. `state` is opaque to
 * the store: the engine encodes and reads it.
 */
export interface LearningStateRow {
  workspaceId: string;
  /** The log position the state reflects: the checkpoint of the commit that wrote it. */
  seq: number;
  state: string;
}

/**
 * How many profiles entered and left a segment in one hour (UTC, by the time of each change):
 * entries and exits derived by the audience, and members merged into another profile (an exit
 * of the profile that ceased to exist). Kept beside the memberships, so a segment's size over
 * time is read from a few rows instead of the log.
 */
export interface SegmentHour {
  workspaceId: string;
  segment: string;
  /** Start of the hour (epoch ms). */
  hour: number;
  entries: number;
  exits: number;
}

/** One profile entering or leaving a segment: a derived `Segment Entered` or `Segment Exited` event. */
export interface SegmentMove {
  /** The profile it was derived for. */
  profileId: string;
  event: LoggedEvent;
}

/** A merge of one profile into another, with its provenance. */
export interface MergeRecord {
  workspaceId: string;
  /** The profile that survives. */
  intoId: string;
  /** The profile that was merged in and no longer exists (its id resolves to `intoId`). */
  fromId: string;
  /** The event that caused the merge. */
  messageId: string;
  /** Its position in the log. */
  seq: number;
  /** The identifiers of that event that met in two profiles (`type:value`). */
  identifiers: string[];
  /** Event time of the merge (epoch ms). */
  at: number;
}

/**
 * An event Tailor derived from a profile's events and the passing of time: a segment entry or
 * exit, a lifecycle transition, a detector firing. It is part of the view (replay derives it
 * again, identically), shown on the profile's timeline after the event that caused it.
 */
export interface DerivedEventRow {
  workspaceId: string;
  profileId: string;
  /**
   * The event, with `seq` set to the log position of what caused it (an event or a timer
   * record), and a `messageId` derived from the profile, that seq and `ord`.
   */
  event: LoggedEvent;
  /** Its order among the events derived for this profile from the same cause (0, 1, …). */
  ord: number;
}

/** A profile's segment memberships, in full: the segments it is in and when it entered each. */
export interface MembershipRow {
  workspaceId: string;
  profileId: string;
  segments: { key: string; enteredAt: number }[];
}

/** A profile that is due, with its due moment (epoch ms). */
export interface DueProfile {
  id: string;
  due: number;
}

/** A page of a segment's members, by profile id. */
export interface MembersPage {
  members: { profileId: string; enteredAt: number }[];
  /** Pass as `after` to get the next page; absent on the last page. */
  nextAfter?: string;
}

/** A page of a profile's timeline, newest first. */
export interface TimelinePage {
  events: LoggedEvent[];
  /** Pass as `before` to get the next page; absent on the last page. */
  nextBefore?: number;
}
