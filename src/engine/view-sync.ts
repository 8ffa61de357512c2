import { candidateKeys, type EventIdentifiers } from '../identity/extract-identifiers.ts';
import type { Store, ViewCommit } from '../store/store.ts';
import type { WorkspaceView } from './workspace-view.ts';

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

/** Collects every view's changes into one commit and marks the views clean. */
export function takeCommit(views: Iterable<WorkspaceView>, checkpoint: number): ViewCommit {
  const commit: ViewCommit = {
    checkpoint,
    rebuilt: [],
    profiles: [],
    deletedProfiles: [],
    identifiers: [],
    merges: [],
    eventLinks: [],
    derivedEvents: [],
    memberships: [],
  };
  for (const view of views) {
    const { workspaceId } = view;
    if (view.rebuiltVersion !== undefined) {
      commit.rebuilt.push({ workspaceId, version: view.rebuiltVersion });
      view.rebuiltVersion = undefined;
      view.complete = false;
    }
    for (const id of view.dirty) {
      const profile = view.profiles.get(id);
      if (profile !== undefined) commit.profiles.push(profile);
    }
    for (const id of view.deleted) commit.deletedProfiles.push({ workspaceId, id });
    for (const key of view.dirtyKeys) {
      const profileId = view.profileIdFor(key);
      if (profileId !== undefined) commit.identifiers.push({ workspaceId, key, profileId });
    }
    // Loops, not push(...rows): one firing or resume can derive more rows than a call takes arguments.
    for (const merge of view.merges) commit.merges.push(merge);
    for (const link of view.links) commit.eventLinks.push({ workspaceId, ...link });
    for (const row of view.derived) commit.derivedEvents.push(row);
    for (const profileId of view.memberships) {
      const segments = view.profiles.get(profileId)?.audience?.segments ?? {};
      commit.memberships.push({
        workspaceId,
        profileId,
        segments: Object.entries(segments).map(([key, enteredAt]) => ({ key, enteredAt })),
      });
    }
    view.dirty = new Set();
    view.dirtyKeys = new Set();
    view.deleted = [];
    view.merges = [];
    view.links = [];
    view.derived = [];
    view.memberships = new Set();
  }
  return commit;
}
