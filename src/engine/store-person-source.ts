import type { LoggedEvent } from '../ingest/event.ts';
import type { ViewStore } from '../store/ports/view-store.ts';
import type { PersonSource } from './person-profiles.ts';
import type { WorkspaceView } from './workspace-view.ts';

/** How many timeline events one read takes while walking a whole timeline. */
const PAGE = 1_000;

/** Every event of a profile's committed timeline, oldest first (derived ones included). */
export async function wholeTimeline(input: {
  store: ViewStore;
  workspaceId: string;
  profileId: string;
}): Promise<LoggedEvent[]> {
  const events: LoggedEvent[] = [];
  let before: number | undefined;
  do {
    const page = await input.store.timeline({
      workspaceId: input.workspaceId,
      profileId: input.profileId,
      limit: PAGE,
      ...(before === undefined ? {} : { before }),
    });
    events.push(...page.events);
    before = page.nextBefore;
  } while (before !== undefined);
  return events.reverse();
}

/**
 * A `PersonSource` over the committed view: call it only with nothing left to commit (the
 * engine commits first), so the store's index, links and profiles are the whole truth; cached
 * profiles are taken from memory, where they are the same.
 */
export function storePersonSource(input: { store: ViewStore; view: WorkspaceView }): PersonSource {
  const { store, view } = input;
  const workspaceId = view.workspaceId;
  return {
    eventsOf: (profileId) => wholeTimeline({ store, workspaceId, profileId }),
    async profileFor(key) {
      const id = (await store.findProfileIds(workspaceId, [key])).get(key);
      if (id === undefined) return undefined;
      return view.profiles.get(view.resolve(id)) ?? (await store.loadProfiles(workspaceId, [id]))[0];
    },
  };
}
