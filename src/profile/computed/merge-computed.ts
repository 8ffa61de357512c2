import { isJsonObject } from '../../ingest/merge-objects.ts';
import type { CompiledComputedTraits } from './compile-computed-traits.ts';
import type { ComputedTraitState } from './computed-trait.ts';
import { bucketAt, bucketsOf, latestOf, pruneBuckets, traitStateIn } from './trait-buckets.ts';

/**
 * Merges the computed trait states of a profile being absorbed (`from`) into `into`, bucket by
 * bucket, so the result equals the state one profile would hold had it seen every event of
 * both. Only traits of the current definition are merged: a state `into` lacks and the
 * definition no longer has is dropped (a rebuild recomputes it).
 */
export function mergeComputed(input: {
  into: Record<string, ComputedTraitState>;
  from: Record<string, ComputedTraitState>;
  compiled: CompiledComputedTraits;
}): void {
  const { into, from, compiled } = input;
  for (const trait of [...compiled.traits, ...compiled.hidden]) {
    const fromState = from[trait.key];
    const fromBuckets = bucketsOf(fromState);
    const fromHi = fromState === undefined ? undefined : latestOf(fromState);
    if (fromBuckets === undefined || fromHi === undefined) continue;
    const { state, buckets } = traitStateIn(into, trait.key);
    const hi = Math.max(latestOf(state) ?? fromHi, fromHi);
    state['hi'] = hi;
    for (const key in fromBuckets) {
      const partial = fromBuckets[key];
      if (isJsonObject(partial)) trait.accumulator.combine(bucketAt(buckets, key), partial);
    }
    pruneBuckets({ trait, buckets, hi });
  }
}
