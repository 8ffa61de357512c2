import type { ViewStore } from '../store/ports/view-store.ts';
import type { WorkspaceView } from './workspace-view.ts';

/** Due profiles read from the store per query while firing a timer. */
const DUE_PAGE = 5_000;

/**
 * Whether any profile of the view's workspace is due by `at`: the earliest in memory, else the
 * store's due index (a stored profile cached with a later due moment does not count).
 */
export async function anythingDue(store: ViewStore, view: WorkspaceView, at: number): Promise<boolean> {
  const next = view.dues.peek();
  if (next !== undefined && next <= at) return true;
  const stored = await store.dueProfiles({ workspaceId: view.workspaceId, at, limit: 100 });
  return stored.some(({ id }) => {
    const cached = view.profiles.get(id);
    const due = cached === undefined ? at : cached.audience?.due;
    return due !== undefined && due <= at;
  });
}

/**
 * The profiles a timer record at `at` brings up to date: those the view has scheduled and,
 * unless the view is complete, those the store's due index holds, loaded into the view page by
 * page. All of them, so the outcome depends only on the state at this point of the log.
 */
export async function dueProfileIds(store: ViewStore, view: WorkspaceView, at: number): Promise<Set<string>> {
  const ids = new Set(view.dues.takeDue(at));
  if (view.complete) return ids;
  let after: { id: string; due: number } | undefined;
  for (;;) {
    const page = await store.dueProfiles({
      workspaceId: view.workspaceId,
      at,
      limit: DUE_PAGE,
      ...(after === undefined ? {} : { after }),
    });
    const missing = page.filter(({ id }) => !view.profiles.has(view.resolve(id))).map(({ id }) => id);
    if (missing.length > 0) {
      for (const profile of await store.loadProfiles(view.workspaceId, missing)) {
        if (!view.profiles.has(profile.id)) view.profiles.set(profile.id, profile);
      }
    }
    for (const { id } of page) ids.add(view.resolve(id));
    after = page.at(-1);
    if (page.length < DUE_PAGE) break;
  }
  return ids;
}
