import type { CompiledWorkspace } from '../engine/compiled-workspace.ts';
import type { Engine } from '../engine/engine.ts';
import type { VersionSource } from '../store/ports/workspace-store.ts';
import type { WorkspaceDefinition } from '../workspace/workspace.ts';

/** A definition the engine has saved, with the rebuild that applies it to every profile. */
export interface StartedApply {
  /** The saved definition's version. */
  version: number;
  /** Rebuild progress when it was saved: log positions replayed out of the total. */
  progress: { done: number; total: number };
  /** Settles when every profile of the workspace has been rebuilt. */
  finished: Promise<CompiledWorkspace>;
}

/**
 * Hands a definition to the engine and resolves once it is saved, that is when the rebuild that
 * back-fills every profile starts (after any apply already queued), without waiting for the rebuild.
 */
export function startApply(
  engine: Engine,
  change: { definition: WorkspaceDefinition; source: VersionSource },
): Promise<StartedApply> {
  const { definition, source } = change;
  return new Promise((resolve, reject) => {
    let started = false;
    const onProgress = (progress: { done: number; total: number }) => {
      if (started) return;
      started = true;
      const version = engine.workspace(definition.id)?.version ?? 0;
      resolve({ version, progress: { ...progress }, finished });
    };
    const finished = engine.applyWorkspace(definition, { onProgress, source });
    finished.then(
      (compiled) => {
        if (started) return;
        started = true;
        resolve({ version: compiled.version, progress: { done: 0, total: 0 }, finished });
      },
      (error: unknown) => {
        if (!started) reject(error);
      },
    );
  });
}
