import { type CompiledCondition, compileCondition } from '../conditions/compile-condition.ts';

/** One lifecycle stage as declared in the workspace file: its key and, except for a default last stage, its condition. */
export interface LifecycleStageDef {
  /** The stage name (`lead`, `customer`), lowercase snake case, unique. */
  key: string;
  /** A condition (docs/conditions.md) on the profile alone; absent means everyone (only the last stage). */
  when?: unknown;
}

/** The lifecycle of a workspace: ordered stages, and the first whose condition holds is the person's stage. */
export interface LifecycleDef {
  stages: LifecycleStageDef[];
}

/**
 * The top-level context paths a lifecycle condition may read: what `profileContext` holds. A
 * stage is read from the profile at any moment, with no event or request in sight, so `event`,
 * `properties` and `context` are not there; nor is `lifecycle_stage`, which a stage would define.
 */
export const LIFECYCLE_READABLE_ROOTS: ReadonlySet<string> = new Set([
  'traits',
  'computed',
  'scores',
  'identifiers',
  'consent',
  'first_seen',
  'last_seen',
]);

/** One stage ready for reading: its condition compiled, or undefined for the default stage. */
export interface CompiledLifecycleStage {
  readonly key: string;
  readonly when: CompiledCondition | undefined;
}

/** A workspace's lifecycle, compiled once per definition version; stages in definition order. */
export interface CompiledLifecycle {
  readonly stages: readonly CompiledLifecycleStage[];
}

/**
 * Compiles lifecycle stages; called when a workspace definition is loaded, never per read.
 * No definition gives no stages (every stage reads null). Throws TailorError INVALID_CONDITION
 * on a bad `when` (the workspace loader reports those first, with their positions).
 */
export function compileLifecycle(def: LifecycleDef | undefined): CompiledLifecycle {
  return {
    stages: (def?.stages ?? []).map((stage) => ({
      key: stage.key,
      when: stage.when === undefined ? undefined : compileCondition(stage.when),
    })),
  };
}

/**
 * The person's lifecycle stage at `now`: the key of the first stage whose condition holds on
 * `context` (a `profileContext` built at the same `now`, with scores), or null when none does.
 * Read on demand rather than stored, so it follows decaying scores and expiring windows exactly.
 */
export function lifecycleStage(input: {
  compiled: CompiledLifecycle;
  context: Record<string, unknown>;
  now: number;
}): string | null {
  const { compiled, context, now } = input;
  for (const stage of compiled.stages)
    if (stage.when === undefined || stage.when(context, now)) return stage.key;
  return null;
}
