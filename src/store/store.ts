import type { ProviderChannel } from '../activate/channel.ts';
import type { SendRecord, SendStatus, SendUpdate } from '../activate/send-record.ts';
import type { LoggedEvent, TailorEvent } from '../ingest/event.ts';
import type { ProfileState } from '../profile/profile.ts';
import type { WorkspaceDefinition } from '../workspace/workspace.ts';

/** An event to append, with the workspace it belongs to. */
export interface EventToAppend {
  workspaceId: string;
  event: TailorEvent;
}

/** The outcome of appending one event: its position, or that its messageId was already logged. */
export type AppendOutcome = { kind: 'appended'; seq: number } | { kind: 'duplicate' };

/** The kinds of API key: write keys only send events; admin keys read and change everything. */
export type KeyKind = 'write' | 'admin';

/**
 * Where a key came from: `env` (TAILOR_WRITE_KEY / TAILOR_ADMIN_KEY at start; a start with other
 * ones revokes these), `generated` (made at a first start and saved in the data dir; replaced by
 * env keys too), or `api` (created through the admin API or CLI; only a revocation ends it).
 */
export type KeySource = 'env' | 'generated' | 'api';

/** A key to register. The plain key is never given to the store: only its hash and a hint. */
export interface NewApiKey {
  workspaceId: string;
  kind: KeyKind;
  /** SHA-256 of the key (hex): what lookups use. */
  hash: string;
  /** Stable public id (`key_…`); a random one when absent. */
  id?: string;
  /** Default `api`. */
  source?: KeySource;
  name?: string | null;
  /** What lists show of the key material (`wk_…abcd`); empty when absent. */
  hint?: string;
  /** Epoch ms; the store's clock when absent. */
  createdAt?: number;
}

/** A registered key as lists show it: never its material or hash, only a hint. */
export interface ApiKeyRecord {
  id: string;
  workspaceId: string;
  kind: KeyKind;
  source: KeySource;
  name: string | null;
  hint: string;
  createdAt: number;
  /** Last authenticated use, written at most once a minute per key (so up to a minute behind). */
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** What a key lookup grants: the key's id, its workspace and kind. */
export interface KeyMatch {
  id: string;
  workspaceId: string;
  kind: KeyKind;
}

/** The outcome of `revokeKey`. */
export type KeyRevocation =
  | { kind: 'revoked'; key: ApiKeyRecord }
  | { kind: 'not_found' }
  | { kind: 'last_admin' };

/** A stored workspace with its current definition. */
export interface StoredWorkspace {
  id: string;
  definition: WorkspaceDefinition;
  /** Increases by one each time the definition changes. */
  version: number;
  /**
   * The definition version the committed view was last rebuilt with (0 before the first
   * rebuild). Behind `version` means a rebuild was cut short: the engine redoes it on open.
   */
  viewVersion: number;
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

/** An entry of the audit log: what was done, never the personal data it was done to. */
export interface AuditEntry {
  workspaceId: string;
  action: string;
  /** Non-personal facts: profile id, counts. */
  detail: Record<string, unknown>;
  at: number;
}

/**
 * The storage port: the event log (source of truth), the materialized view, workspaces and
 * keys. The SQLite adapter is the embedded default; the PostgreSQL adapter passes the same
 * contract suite (`test/store/store-contract.ts`).
 */
export interface Store {
  /** Creates tables if missing. Safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /** Inserts or replaces a workspace definition, bumping its version. */
  saveWorkspace(definition: WorkspaceDefinition): Promise<StoredWorkspace>;
  getWorkspace(id: string): Promise<StoredWorkspace | undefined>;
  listWorkspaces(): Promise<StoredWorkspace[]>;
  /**
   * Registers an API key by its SHA-256 hash (hex); registering the same hash twice is a no-op
   * (a revoked key stays revoked). Returns the key as stored.
   */
  addKey(key: NewApiKey): Promise<ApiKeyRecord>;
  /** The key with this hash, unless it is unknown or revoked. */
  findKey(hash: string): Promise<KeyMatch | undefined>;
  /** A workspace's keys, revoked ones included, oldest first (then by id). */
  listKeys(workspaceId: string): Promise<ApiKeyRecord[]>;
  /**
   * Revokes a workspace's key at `at`, at once for every later `findKey`. A key revoked before is
   * answered as it is. With `keepLastAdmin`, the last unrevoked admin key of the workspace is
   * refused (`last_admin`), checked in the same transaction.
   */
  revokeKey(revocation: {
    workspaceId: string;
    id: string;
    at: number;
    keepLastAdmin: boolean;
  }): Promise<KeyRevocation>;
  /** Records a key's last use; an older `at` than the stored one changes nothing. */
  touchKey(id: string, at: number): Promise<void>;

  /**
   * Appends events in one durable transaction, in order. An event whose (workspace,
   * messageId) is already logged is not appended again. Resolves only once on disk. All or
   * nothing: when it throws, no event of the call was appended, except when the error is an
   * `AppendInDoubtError` (the commit's outcome is unknown).
   */
  appendEvents(events: EventToAppend[]): Promise<AppendOutcome[]>;
  /** Events with `seq > afterSeq` in log order, at most `limit`, optionally of one workspace. */
  readEvents(query: { afterSeq: number; limit: number; workspaceId?: string }): Promise<LoggedEvent[]>;
  /** The workspace's logged events with these message ids, in log order (absent ids are skipped). */
  readEventsById(workspaceId: string, messageIds: string[]): Promise<LoggedEvent[]>;
  /** The highest seq in the log (0 when empty). */
  lastSeq(): Promise<number>;

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
  /**
   * Erases profiles: their rows, identifier entries, merge records, linked and derived events,
   * memberships and sends, and the same of the profiles merged into them; records `audit` in
   * the same transaction. Resolves only once the erased data is gone from the store's files as
   * far as the engine can reach (SQLite: zeroed pages and a truncated WAL; PostgreSQL: the
   * touched tables vacuumed). Returns the count of events removed.
   */
  eraseProfiles(workspaceId: string, profileIds: string[], audit: AuditEntry): Promise<{ events: number }>;
  auditLog(workspaceId: string, limit: number): Promise<AuditEntry[]>;

  /**
   * Records sends in the outbox, durably, in one transaction. A send whose (workspace, id) is
   * already recorded is left as it is. Returns how many were new.
   */
  enqueueSends(sends: SendRecord[]): Promise<number>;
  /**
   * Claims up to `limit` pending sends due by `at` (earliest first, across workspaces): marks
   * them `sending`, counts the attempt, sets `calledAt` to `at` (a claimed send is taken to be on
   * its way to its provider, unless `markWaiting` says otherwise), and returns them as claimed.
   * Atomic: two claims never return the same send.
   */
  claimSends(at: number, limit: number): Promise<SendRecord[]>;
  /**
   * Clears `calledAt` of claimed sends that wait for their rate-limit slot, in one transaction:
   * one left `sending` so by a stop never reached its provider (see `releaseSending`). Only
   * sends still `sending` are changed.
   */
  markWaiting(calls: { workspaceId: string; id: string }[]): Promise<void>;
  /**
   * Records durably that claimed sends whose slot came are being handed to their providers
   * (`calledAt`), in one transaction, just before the calls. Only sends still `sending` are marked.
   */
  markCalled(calls: { workspaceId: string; id: string }[], at: number): Promise<void>;
  /**
   * Writes an attempt's outcome to a send still `sending`; a send that is not (a provider
   * callback confirmed it `sent` meanwhile) is left as it is, so a late timeout never makes a
   * confirmed send pending again.
   */
  finishSend(update: SendUpdate): Promise<void>;
  /**
   * Marks a send `sent` with the provider's message id because a verified provider callback
   * named it, whatever attempt it was at (a send already `sent` is left as it is). Returns the
   * send as it now is when this changed it, undefined otherwise (unknown or already sent).
   */
  confirmSend(confirmation: {
    workspaceId: string;
    id: string;
    providerMessageId: string;
    at: number;
  }): Promise<SendRecord | undefined>;
  /**
   * Puts sends left `sending` by a stop back to `pending`, due at `at` — except those handed to
   * their provider (`calledAt` set) on the workspace channels `awaiting` lists (providers that
   * confirm sends by callback), which are due at `awaiting.until` with `awaiting.reason` as
   * their last error, so a callback for a send the provider took just before the stop can mark
   * it `sent` first. A send never handed over cannot have gone out: it is due at `at` whatever
   * its channel.
   */
  releaseSending(release: { at: number; awaiting?: AwaitingConfirmation }): Promise<ReleasedSends>;
  /** The earliest `nextAttemptAt` of a pending send, if any. */
  nextSendDue(): Promise<number | undefined>;
  /** A workspace's sends, newest first (by creation, then id), optionally of one status, after a cursor id. */
  listSends(query: {
    workspaceId: string;
    status?: SendStatus;
    before?: { createdAt: number; id: string };
    limit: number;
  }): Promise<SendRecord[]>;
  /** One send by id. */
  getSend(workspaceId: string, id: string): Promise<SendRecord | undefined>;
  /** Makes a `dead` or `failed` send pending again, due at `at`, with its attempts reset; false when it is neither. */
  redriveSend(workspaceId: string, id: string, at: number): Promise<boolean>;
  /**
   * How many of a workspace's sends each trigger starting with `prefix` asked for, by status
   * (`journey:` gives every journey step's), ordered by trigger then status. Sends without a
   * trigger are not counted.
   */
  sendCountsByTrigger(workspaceId: string, prefix: string): Promise<TriggerSendCount[]>;
}

/** The sends in doubt after a stop that wait for their provider's confirmation (see `releaseSending`). */
export interface AwaitingConfirmation {
  /** The workspace channels whose provider confirms sends by callback. */
  channels: { workspaceId: string; channel: ProviderChannel }[];
  /** When they fall due if no callback came. */
  until: number;
  /** Their last error meanwhile, saying what they wait for. */
  reason: string;
}

/** What `releaseSending` did: sends due again at once, and sends waiting for a confirmation. */
export interface ReleasedSends {
  /** Sends due again at once: `neverCalled` of them, and those in doubt on channels that do not confirm. */
  released: number;
  /** Of `released`, the sends never handed to their provider (no `calledAt`): they did not go out. */
  neverCalled: number;
  /** Sends in doubt (handed to a provider that confirms by callback), due at `awaiting.until`. */
  awaiting: number;
}

/** A count of `sendCountsByTrigger`. */
export interface TriggerSendCount {
  trigger: string;
  status: SendStatus;
  count: number;
}
