import { isJsonObject } from '../../ingest/merge-objects.ts';
import type { PartialAggregate } from './accumulators.ts';
import type { CompiledTrait } from './compile-computed-traits.ts';
import type { ComputedTraitState } from './computed-trait.ts';
import { bucketEnd, bucketsOf } from './trait-buckets.ts';

/**
 * How many events a `count` trait holds whose bucket overlaps [since, until] (both inclusive,
 * epoch ms). Buckets are a thirtieth of the window wide, so this is as exact as the trait's
 * own value; `since` before the window counts only what the window still holds.
 */
export function countBetween(
  state: ComputedTraitState | undefined,
  trait: CompiledTrait,
  since: number,
  until: number,
): number {
  const buckets = bucketsOf(state);
  if (buckets === undefined) return 0;
  const combined: PartialAggregate = {};
  for (const key in buckets) {
    const partial = buckets[key];
    if (!isJsonObject(partial)) continue;
    if (trait.windowMs !== undefined) {
      const index = Number(key);
      const end = bucketEnd(trait, index);
      if (end <= since || end - trait.bucketMs > until) continue;
    }
    trait.accumulator.combine(combined, partial);
  }
  const value = trait.accumulator.result(combined);
  return typeof value === 'number' ? value : 0;
}

/**
 * The first moment after `after` at which a windowed trait's value at that moment changes with
 * no new event: when its oldest bucket still counted leaves the window. Undefined for
 * all-time traits and for states with nothing left to expire.
 */
export function nextExpiry(
  state: ComputedTraitState | undefined,
  trait: CompiledTrait,
  after: number,
): number | undefined {
  const buckets = bucketsOf(state);
  const windowMs = trait.windowMs;
  if (buckets === undefined || windowMs === undefined) return undefined;
  let next: number | undefined;
  for (const key in buckets) {
    const leaves = bucketEnd(trait, Number(key)) + windowMs;
    if (leaves > after && (next === undefined || leaves < next)) next = leaves;
  }
  return next;
}
