import type { ProfileState } from '../profile/profile.ts';
import type { ViewStore } from '../store/ports/view-store.ts';
import type { WorkspaceView } from './workspace-view.ts';

/** Stored profiles read per query while scanning. */
const SCAN_PAGE = 1_000;

/**
 * Visits every profile of a workspace as the engine has it, without a view commit and without
 * the writer: the stored profiles, page by page, each replaced by its in-memory version where
 * it changed since the last commit, skipping those merged away since; then the profiles created
 * since the last commit. Ingestion goes on meanwhile, so the scan sees each profile as it was
 * when reached. Returns how many were visited.
 */
export async function scanProfiles(input: {
  store: ViewStore;
  view: WorkspaceView;
  visit: (profile: ProfileState) => void;
}): Promise<number> {
  const { store, view, visit } = input;
  const stored = new Set<string>();
  let visited = 0;
  for (let after: string | undefined; ; ) {
    const page = await store.scanProfiles({
      workspaceId: view.workspaceId,
      limit: SCAN_PAGE,
      ...(after ? { after } : {}),
    });
    for (const profile of page) {
      stored.add(profile.id);
      if (view.resolve(profile.id) !== profile.id) continue;
      visit(view.profiles.peek(profile.id) ?? profile);
      visited += 1;
    }
    after = page.at(-1)?.id;
    if (page.length < SCAN_PAGE) break;
  }
  for (const profile of view.profiles.values()) {
    if (stored.has(profile.id)) continue;
    visit(profile);
    visited += 1;
  }
  return visited;
}
