import type { TailorEvent } from '../../ingest/event.ts';
import { buildEventIndex, type EventIndex } from '../../ingest/event-index.ts';
import { ACCUMULATORS, type Accumulator } from './accumulators.ts';
import { compileWhere } from './compile-filter.ts';
import type { ComputedTraitDef } from './computed-trait.ts';
import { compileEventPath } from './event-path.ts';
import type { Scalar } from './scalar.ts';

/** Smallest time bucket of a windowed trait. */
const MIN_BUCKET_MS = 1000;
/** A window is kept as about this many buckets, so a value may count events up to 1/30 of the window too old. */
const BUCKETS_PER_WINDOW = 30;

/** One computed trait ready for the hot path: filters as closures, the property path pre-split. */
export interface CompiledTrait {
  readonly key: string;
  readonly def: ComputedTraitDef;
  readonly accumulator: Accumulator;
  /** The `where` filters; event type and name are matched by the index instead. */
  readonly matches: (event: TailorEvent) => boolean;
  /** The value the event contributes, or undefined when it has none that this aggregate can use. */
  readonly valueIn: (event: TailorEvent) => Scalar | undefined;
  /** Sliding window, or undefined for all time. */
  readonly windowMs: number | undefined;
  /** Width of a time bucket of the window (`Infinity` for all time). */
  readonly bucketMs: number;
}

/**
 * A workspace's computed traits, compiled once per definition version and indexed by event type
 * and name, so an event only visits traits that can match it: a trait on `Order Completed` is
 * never looked at for `Page Viewed`.
 */
export interface CompiledComputedTraits extends EventIndex<CompiledTrait> {
  /** Every declared trait, in definition order: what profiles show under `computed`. */
  readonly traits: readonly CompiledTrait[];
  /** Traits kept for other definitions and never shown (the counts behind segments' `$performed`). */
  readonly hidden: readonly CompiledTrait[];
}

/** Compiles computed trait definitions; called when a workspace definition is loaded, never per event. */
export function compileComputedTraits(
  defs: ComputedTraitDef[],
  hidden: readonly CompiledTrait[] = [],
): CompiledComputedTraits {
  const traits = defs.map((def) => compileTrait(def));
  const index = buildEventIndex(
    [...traits, ...hidden].map((trait) => ({
      item: trait,
      types: trait.def.eventTypes,
      names: trait.def.events,
    })),
  );
  return { traits, hidden, ...index };
}

/**
 * Compiles one trait definition; `matches` replaces the filter compiled from `def.where` (for
 * traits whose filter is a compiled condition, like the counts behind `$performed`).
 */
export function compileTrait(
  def: ComputedTraitDef,
  matches?: (event: TailorEvent) => boolean,
): CompiledTrait {
  const accumulator = ACCUMULATORS[def.aggregate];
  const read = def.property === undefined ? undefined : compileEventPath(def.property);
  const valueIn =
    read !== undefined
      ? (event: TailorEvent) => accumulator.accept(read(event))
      : def.aggregate === 'count'
        ? () => 1
        : () => undefined;
  const windowMs = def.windowMs;
  return {
    key: def.key,
    def,
    accumulator,
    matches: matches ?? compileWhere(def.where),
    valueIn,
    windowMs,
    bucketMs:
      windowMs === undefined
        ? Number.POSITIVE_INFINITY
        : Math.max(Math.ceil(windowMs / BUCKETS_PER_WINDOW), MIN_BUCKET_MS),
  };
}
