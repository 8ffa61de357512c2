import type { IdentityRules } from '../identity/identity-rules.ts';
import type { ErasureStore } from '../store/ports/erasure-store.ts';
import type { ViewStore } from '../store/ports/view-store.ts';
import { personProfiles } from './person-profiles.ts';
import { storePersonSource } from './store-person-source.ts';
import type { WorkspaceView } from './workspace-view.ts';

/**
 * Erases a person from a committed view: finds every profile that is the person
 * (`personProfiles`: merged, aliased, linked by identifiers the identity rules let join),
 * removes them with their identifiers and events from the store — which resolves once the data
 * is gone from its files — with an audit entry naming no personal data, then from `view`.
 * Returns the number of events removed, and the ids of the profiles erased with the ids merged
 * into them (for what else keeps profile ids: the learning state).
 */
export async function erasePerson(input: {
  store: ViewStore & ErasureStore;
  view: WorkspaceView;
  rules: IdentityRules;
  profileId: string;
  at: number;
}): Promise<{ events: number; profileIds: string[] }> {
  const { store, view, profileId } = input;
  const workspaceId = view.workspaceId;
  const start = view.profiles.get(profileId) ?? (await store.loadProfiles(workspaceId, [profileId]))[0];
  const profiles =
    start === undefined
      ? []
      : await personProfiles({ start, rules: input.rules, source: storePersonSource({ store, view }) });
  const ids = profiles.length === 0 ? [profileId] : profiles.map((profile) => profile.id);
  const result = await store.eraseProfiles(workspaceId, ids, {
    workspaceId,
    action: 'profile.erased',
    detail: {
      profileId,
      linkedIds: ids.filter((id) => id !== profileId),
      mergedIds: profiles.reduce((count, profile) => count + profile.mergedIds.length, 0),
    },
    at: input.at,
  });
  view.forget(profiles);
  return { events: result.events, profileIds: [...ids, ...profiles.flatMap((profile) => profile.mergedIds)] };
}
