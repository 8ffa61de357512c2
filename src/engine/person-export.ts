import type { IdentityRules } from '../identity/identity-rules.ts';
import type { ProfileState } from '../profile/profile.ts';
import type { ExposureLog, StoredExposure } from '../store/ports/exposure-log.ts';
import type { ViewStore } from '../store/ports/view-store.ts';
import { type PersonExport, personProfiles } from './person-profiles.ts';
import { storePersonSource, wholeTimeline } from './store-person-source.ts';
import type { WorkspaceView } from './workspace-view.ts';

/**
 * Everything held on a person: the profile state, every event linked to it, its merges and
 * what decide showed it (its exposures);
 * then the same of every other profile an erase of this one would erase (`personProfiles`).
 * Reads the committed view (commit first) with `view` in front of it.
 */
export async function exportPerson(input: {
  store: ViewStore & Pick<ExposureLog, 'exposuresByProfile'>;
  view: WorkspaceView;
  rules: IdentityRules;
  profileId: string;
  profile: ProfileState | undefined;
}): Promise<PersonExport & { linked: PersonExport[] }> {
  const { store, view, profile } = input;
  const workspaceId = view.workspaceId;
  const profiles =
    profile === undefined
      ? []
      : await personProfiles({
          start: profile,
          rules: input.rules,
          source: storePersonSource({ store, view }),
        });
  const exportOf = async (id: string, state: ProfileState | undefined): Promise<PersonExport> => ({
    profile: state,
    events: await wholeTimeline({ store, workspaceId, profileId: id }),
    merges: await store.mergeHistory(workspaceId, id),
    exposures: await everyExposure(store, workspaceId, id),
  });
  const linked: PersonExport[] = [];
  for (const other of profiles.slice(1)) linked.push(await exportOf(other.id, other));
  return { ...(await exportOf(profile?.id ?? input.profileId, profile)), linked };
}

/** Every exposure of a profile, newest first, read page by page. */
async function everyExposure(
  store: Pick<ExposureLog, 'exposuresByProfile'>,
  workspaceId: string,
  profileId: string,
): Promise<StoredExposure[]> {
  const all: StoredExposure[] = [];
  let before: number | undefined;
  do {
    const page = await store.exposuresByProfile({
      workspaceId,
      profileId,
      limit: 1_000,
      ...(before === undefined ? {} : { before }),
    });
    all.push(...page.exposures);
    before = page.nextBefore;
  } while (before !== undefined);
  return all;
}
