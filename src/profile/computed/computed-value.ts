import type { PartialAggregate } from './accumulators.ts';
import type { CompiledTrait } from './compile-computed-traits.ts';
import type { ComputedTraitState } from './computed-trait.ts';
import type { ComputedValue } from './scalar.ts';
import { bucketsOf, liveBuckets } from './trait-buckets.ts';

/**
 * The value of a computed trait at time `now`. Windows are measured against `now`, so a value
 * expires as the clock moves even when no event arrives. With no data, `count`, `sum` and
 * `distinct_count` are 0 and the others null.
 */
export function computedValue(
  state: ComputedTraitState | undefined,
  trait: CompiledTrait,
  now: number,
): ComputedValue {
  const buckets = bucketsOf(state);
  if (buckets === undefined) return trait.accumulator.result(undefined);
  const live = liveBuckets({ trait, buckets, now });
  if (live.length <= 1) return trait.accumulator.result(live[0]);
  const combined: PartialAggregate = {};
  for (const partial of live) trait.accumulator.combine(combined, partial);
  return trait.accumulator.result(combined);
}
