import { isJsonObject } from '../../ingest/merge-objects.ts';
import type { PartialAggregate } from './accumulators.ts';
import type { CompiledTrait } from './compile-computed-traits.ts';
import type { ComputedTraitState } from './computed-trait.ts';

/*
 * The stored state of one computed trait: `{ hi, b }`. `hi` is the latest event time the trait
 * counted; `b` holds partial aggregates by bucket: one bucket `all` for all-time traits, and for
 * windowed traits one per `floor(time / bucketMs)`. A windowed state keeps only buckets that end
 * after `hi − window`, so the state depends only on the events counted, never on their order.
 */

const ALL_TIME = 'all';

/**
 * The state of a trait in a profile's computed map, with its buckets. A missing or malformed
 * state is replaced by an empty one, which has no `hi` until the caller sets it.
 */
export function traitStateIn(
  computed: Record<string, ComputedTraitState>,
  key: string,
): { state: ComputedTraitState; buckets: Record<string, unknown> } {
  const state = computed[key];
  const buckets = bucketsOf(state);
  if (state !== undefined && buckets !== undefined) return { state, buckets };
  const created = { b: {} };
  computed[key] = created;
  return { state: created, buckets: created.b };
}

/** The buckets of a stored state, or undefined when there is no (well-formed) state. */
export function bucketsOf(state: ComputedTraitState | undefined): Record<string, unknown> | undefined {
  const buckets = state?.['b'];
  return isJsonObject(buckets) ? buckets : undefined;
}

/** The latest event time a stored state counted. */
export function latestOf(state: ComputedTraitState): number | undefined {
  const hi = state['hi'];
  return typeof hi === 'number' ? hi : undefined;
}

/** The bucket an event time falls in. */
export function bucketIndex(trait: CompiledTrait, at: number): number {
  return trait.windowMs === undefined ? 0 : Math.floor(at / trait.bucketMs);
}

/** The key of a bucket in the stored state. */
export function bucketKey(trait: CompiledTrait, index: number): string {
  return trait.windowMs === undefined ? ALL_TIME : String(index);
}

/** The end of a bucket given by its index. */
export function bucketEnd(trait: CompiledTrait, index: number): number {
  return (index + 1) * trait.bucketMs;
}

/**
 * The start of the window at time `at`: a bucket counts at `at` only if it ends after this.
 * All-time traits have no start.
 */
export function windowStart(trait: CompiledTrait, at: number): number {
  return trait.windowMs === undefined ? Number.NEGATIVE_INFINITY : at - trait.windowMs;
}

/** The partial aggregates of the buckets that count at time `now`. */
export function liveBuckets(input: {
  trait: CompiledTrait;
  buckets: Record<string, unknown>;
  now: number;
}): PartialAggregate[] {
  const { trait, buckets } = input;
  const start = windowStart(trait, input.now);
  const live: PartialAggregate[] = [];
  for (const key in buckets) {
    const partial = buckets[key];
    if (isJsonObject(partial) && endOfKey(trait, key) > start) live.push(partial);
  }
  return live;
}

/** Drops the buckets of a windowed trait that no longer count once its latest event is at `hi`. */
export function pruneBuckets(input: {
  trait: CompiledTrait;
  buckets: Record<string, unknown>;
  hi: number;
}): void {
  const { trait, buckets } = input;
  if (trait.windowMs === undefined) return;
  const start = windowStart(trait, input.hi);
  for (const key in buckets) {
    if (endOfKey(trait, key) <= start) delete buckets[key];
  }
}

/** The bucket with this key, created empty when missing. */
export function bucketAt(buckets: Record<string, unknown>, key: string): PartialAggregate {
  const partial = buckets[key];
  if (isJsonObject(partial)) return partial;
  const created: PartialAggregate = {};
  buckets[key] = created;
  return created;
}

function endOfKey(trait: CompiledTrait, key: string): number {
  return key === ALL_TIME ? Number.POSITIVE_INFINITY : bucketEnd(trait, Number(key));
}
