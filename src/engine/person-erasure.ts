import type { IdentityRules } from '../identity/identity-rules.ts';
import type { ProfileState } from '../profile/profile.ts';
import type { ErasureStore } from '../store/ports/erasure-store.ts';
import type { ViewStore } from '../store/ports/view-store.ts';
import { personProfiles } from './person-profiles.ts';
import { storePersonSource } from './store-person-source.ts';
import type { WorkspaceView } from './workspace-view.ts';

/** A person found for erasure: the profiles that are them, and every id they went by. */
export interface PersonToErase {
  /** The profile the erasure names. */
  profileId: string;
  /** Their profiles (none when the profile is unknown). */
  profiles: ProfileState[];
  /** The ids of those profiles (the named one when none was found). */
  ids: string[];
  /** `ids` and the ids merged into them: what else keeps profile ids (the learning state) lets go of these. */
  everyId: string[];
}

/**
 * Finds every profile that is the person a profile id names, in a committed view
 * (`personProfiles`: merged, aliased, linked by identifiers the identity rules let join).
 */
export async function personToErase(input: {
  store: ViewStore;
  view: WorkspaceView;
  rules: IdentityRules;
  profileId: string;
}): Promise<PersonToErase> {
  const { store, view, profileId } = input;
  const start = view.profiles.get(profileId) ?? (await store.loadProfiles(view.workspaceId, [profileId]))[0];
  const profiles =
    start === undefined
      ? []
      : await personProfiles({ start, rules: input.rules, source: storePersonSource({ store, view }) });
  const ids = profiles.length === 0 ? [profileId] : profiles.map((profile) => profile.id);
  return { profileId, profiles, ids, everyId: [...ids, ...profiles.flatMap((profile) => profile.mergedIds)] };
}

/**
 * Erases a person (`personToErase`): removes their profiles with their identifiers and events
 * from the store — which resolves once the data is gone from its files — with an audit entry
 * naming no personal data, then from `view`. Returns the number of events removed.
 */
export async function erasePerson(input: {
  store: ErasureStore;
  view: WorkspaceView;
  person: PersonToErase;
  at: number;
}): Promise<{ events: number }> {
  const { view, person } = input;
  const workspaceId = view.workspaceId;
  const result = await input.store.eraseProfiles(workspaceId, person.ids, {
    workspaceId,
    action: 'profile.erased',
    detail: {
      profileId: person.profileId,
      linkedIds: person.ids.filter((id) => id !== person.profileId),
      mergedIds: person.profiles.reduce((count, profile) => count + profile.mergedIds.length, 0),
    },
    at: input.at,
  });
  view.forget(person.profiles);
  return { events: result.events };
}
