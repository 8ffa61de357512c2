import { type CompiledCondition, compileCondition } from '../conditions/compile-condition.ts';
import type { DetectorDef } from './audience-def.ts';

/** The event name that stands for any event in `after` and `unless`. */
export const ANY_EVENT = '*';

/** A detector ready for the hot path. */
export interface CompiledDetector {
  readonly key: string;
  readonly def: DetectorDef;
  /** The starting event name, or undefined when any event starts the wait. */
  readonly after: string | undefined;
  readonly where: CompiledCondition | undefined;
  /** Completing event names; undefined when any event completes. */
  readonly unless: ReadonlySet<string> | undefined;
  readonly withinMs: number;
  readonly emit: string;
}

/** A workspace's detectors, indexed so an event visits only those it can start or complete. */
export interface CompiledDetectors {
  readonly all: readonly CompiledDetector[];
  /** Detectors that any event concerns (`*` in `after` or `unless`). */
  readonly anyEvent: readonly CompiledDetector[];
  /** The others, by the event names they start or complete on. */
  readonly byName: ReadonlyMap<string, readonly CompiledDetector[]>;
}

/** Compiles detector definitions; once per workspace definition version. */
export function compileDetectors(defs: readonly DetectorDef[]): CompiledDetectors {
  const all: CompiledDetector[] = defs.map((def) => ({
    key: def.key,
    def,
    after: def.after === ANY_EVENT ? undefined : def.after,
    where: def.where === undefined ? undefined : compileCondition(def.where),
    unless: def.unless.includes(ANY_EVENT) ? undefined : new Set(def.unless),
    withinMs: def.withinMs,
    emit: def.emit,
  }));
  const anyEvent = all.filter((detector) => detector.after === undefined || detector.unless === undefined);
  const byName = new Map<string, CompiledDetector[]>();
  for (const detector of all) {
    if (anyEvent.includes(detector)) continue;
    for (const name of new Set([detector.after ?? '', ...(detector.unless ?? [])])) {
      const list = byName.get(name);
      if (list === undefined) byName.set(name, [detector]);
      else list.push(detector);
    }
  }
  return { all, anyEvent, byName };
}
