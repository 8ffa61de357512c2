import { candidateKeys, type EventIdentifiers } from '../identity/extract-identifiers.ts';
import { mapInSlices } from '../map-in-slices.ts';
import { encodeProfile } from '../profile/profile-codec.ts';
import type { SegmentHour, ViewCommit } from '../store/ports/view-store.ts';
import type { Store } from '../store/store.ts';
import type { ViewChanges, WorkspaceView } from './workspace-view.ts';

/**
 * Loads into the view everything a batch of events can touch — identifier index entries and
 * the profiles they point at — in two store queries, so applying the batch does no I/O.
 * `identifiers` are the batch's events' identifiers, read once (`readEventIdentifiers`).
 */
export async function prefetch(input: {
  store: Store;
  view: WorkspaceView;
  identifiers: EventIdentifiers[];
}): Promise<void> {
  const { store, view } = input;
  if (view.complete) return;
  const eventKeys: string[] = [];
  const missingKeys: string[] = [];
  for (const read of input.identifiers) {
    for (const key of candidateKeys(read)) {
      eventKeys.push(key);
      if (!view.index.has(key)) missingKeys.push(key);
    }
  }
  if (missingKeys.length > 0) {
    const found = await store.findProfileIds(view.workspaceId, missingKeys);
    for (const key of missingKeys) {
      if (!view.index.has(key)) view.index.set(key, found.get(key) ?? null);
    }
  }
  const missingProfiles = new Set<string>();
  for (const key of eventKeys) {
    const id = view.profileIdFor(key);
    if (id !== undefined && !view.profiles.has(id)) missingProfiles.add(id);
  }
  if (missingProfiles.size > 0) {
    for (const profile of await store.loadProfiles(view.workspaceId, [...missingProfiles])) {
      if (view.profiles.has(profile.id)) continue;
      view.profiles.set(profile.id, profile);
      view.scheduleDue(profile);
    }
  }
}

/** A view commit taken out of the views, and how to put its changes back if writing it fails. */
export interface TakenCommit {
  commit: ViewCommit;
  /** Returns the taken changes to their views (ahead of any made since): call when the commit failed. */
  restore: () => void;
}

/**
 * Collects every view's changes into one commit and takes them out of the views, so changes
 * made while it is written collect for the next one. The views count as clean only once the
 * commit is written: on failure `restore` puts everything back, and the next commit, which
 * raises the checkpoint past these changes, still carries them.
 */
export function takeCommit(views: Iterable<WorkspaceView>, checkpoint: number): TakenCommit {
  const commit: ViewCommit & { segmentHours: SegmentHour[] } = {
    checkpoint,
    rebuilt: [],
    profiles: [],
    deletedProfiles: [],
    identifiers: [],
    merges: [],
    eventLinks: [],
    derivedEvents: [],
    memberships: [],
    segmentHours: [],
  };
  const taken: { view: WorkspaceView; changes: ViewChanges }[] = [];
  for (const view of views) {
    const { workspaceId } = view;
    const changes = view.takeChanges();
    taken.push({ view, changes });
    if (changes.rebuiltVersion !== undefined) {
      commit.rebuilt.push({ workspaceId, version: changes.rebuiltVersion });
    }
    for (const id of changes.dirty) {
      const profile = view.profiles.get(id);
      if (profile !== undefined) commit.profiles.push(profile);
    }
    for (const id of changes.deleted) commit.deletedProfiles.push({ workspaceId, id });
    for (const key of changes.dirtyKeys) {
      const profileId = view.profileIdFor(key);
      if (profileId !== undefined) commit.identifiers.push({ workspaceId, key, profileId });
    }
    // Loops, not push(...rows): one firing or resume can derive more rows than a call takes arguments.
    for (const merge of changes.merges) commit.merges.push(merge);
    for (const link of changes.links) commit.eventLinks.push({ workspaceId, ...link });
    for (const row of changes.derived) commit.derivedEvents.push(row);
    for (const row of changes.segmentHours.rows()) commit.segmentHours.push(row);
    for (const profileId of changes.memberships) {
      const segments = view.profiles.get(profileId)?.audience?.segments ?? {};
      commit.memberships.push({
        workspaceId,
        profileId,
        segments: Object.entries(segments).map(([key, enteredAt]) => ({ key, enteredAt })),
      });
    }
  }
  return {
    commit,
    restore: () => {
      for (const { view, changes } of taken) view.restoreChanges(changes);
    },
  };
}

/**
 * Encodes a taken commit's profiles once, for the store and the views' caches alike: each
 * cached profile is then held as its bytes (`ProfileCache.settle`), so the writer works on a
 * decoded copy and the commit's objects stay as they were taken. In slices that let I/O in.
 */
export async function encodeCommit(
  commit: ViewCommit,
  views: ReadonlyMap<string, WorkspaceView>,
): Promise<ViewCommit> {
  const encodedProfiles = await mapInSlices(commit.profiles, encodeProfile);
  commit.profiles.forEach((profile, i) => {
    const bytes = encodedProfiles[i];
    if (bytes !== undefined) views.get(profile.workspaceId)?.profiles.settle(profile, bytes);
  });
  return { ...commit, encodedProfiles };
}
