import { TailorError } from '../errors.ts';
import { identifierKey, parseIdentifierKey } from '../identity/identifier.ts';
import { normalizeIdentifier } from '../identity/normalize-identifier.ts';
import type { ViewStore } from '../store/ports/view-store.ts';
import type { CompiledWorkspace } from './compiled-workspace.ts';
import type { WorkspaceView } from './workspace-view.ts';

/** Profile ids start with this; anything else is read as `type:value`. */
export const PROFILE_ID_PREFIX = 'prf_';

/**
 * Resolves a profile reference — a profile id (merged ids resolve to the survivor) or an
 * identifier as `type:value`, normalized like incoming identifiers — to the current profile id.
 */
export async function resolveProfileRef(input: {
  store: ViewStore;
  view: WorkspaceView;
  workspace: CompiledWorkspace;
  ref: string;
}): Promise<string | undefined> {
  const { store, view, workspace, ref } = input;
  if (ref.startsWith(PROFILE_ID_PREFIX)) {
    const id = view.resolve(ref);
    if (view.profiles.has(id)) return id;
    return store.resolveProfileId(view.workspaceId, id);
  }
  const parsed = parseIdentifierKey(ref);
  if (parsed === undefined) throw new TailorError('INVALID_PROFILE_REF');
  const identifier = normalizeIdentifier({
    type: parsed.type,
    raw: parsed.value,
    rules: workspace.definition.identity,
  });
  if (identifier === undefined) return undefined;
  const key = identifierKey(identifier);
  const cached = view.profileIdFor(key);
  if (cached !== undefined) return cached;
  if (view.index.get(key) === null) return undefined;
  return (await store.findProfileIds(view.workspaceId, [key])).get(key);
}
