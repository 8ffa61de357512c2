import { type CompiledScores, compileScores } from '../intent/compile-scores.ts';
import { type CompiledLifecycle, compileLifecycle } from '../intent/lifecycle.ts';
import {
  type CompiledComputedTraits,
  compileComputedTraits,
} from '../profile/computed/compile-computed-traits.ts';
import type { WorkspaceDefinition } from '../workspace/workspace.ts';

/** A workspace definition with everything the hot path needs compiled once per version. */
export interface CompiledWorkspace {
  definition: WorkspaceDefinition;
  version: number;
  computed: CompiledComputedTraits;
  scores: CompiledScores;
  lifecycle: CompiledLifecycle;
}

/** Compiles a workspace definition; called when a definition is loaded or changed, never per event. */
export function compileWorkspace(definition: WorkspaceDefinition, version: number): CompiledWorkspace {
  return {
    definition,
    version,
    computed: compileComputedTraits(definition.computedTraits),
    scores: compileScores(definition.scores ?? []),
    lifecycle: compileLifecycle(definition.lifecycle),
  };
}
