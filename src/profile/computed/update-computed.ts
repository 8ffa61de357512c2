import type { TailorEvent } from '../../ingest/event.ts';
import { eventName } from '../event-name.ts';
import type { CompiledComputedTraits, CompiledTrait } from './compile-computed-traits.ts';
import type { ComputedTraitState } from './computed-trait.ts';
import {
  bucketAt,
  bucketEnd,
  bucketIndex,
  bucketKey,
  latestOf,
  pruneBuckets,
  traitStateIn,
  windowStart,
} from './trait-buckets.ts';

/** What `updateComputed` works on. */
interface ComputedUpdate {
  computed: Record<string, ComputedTraitState>;
  event: TailorEvent;
  compiled: CompiledComputedTraits;
}

/**
 * Folds one event into the computed trait states of a profile (mutated in place). Only the
 * traits indexed under the event's type and name are visited. An event older than a trait's
 * window, measured from the latest event that trait counted, is not kept: it could never count.
 */
export function updateComputed(input: ComputedUpdate): void {
  const { event, compiled } = input;
  const unnamed = compiled.unnamed.get(event.type);
  if (unnamed !== undefined) for (const trait of unnamed) countEvent(trait, input);
  const name = eventName(event);
  if (name === undefined) return;
  const named = compiled.named.get(event.type)?.get(name);
  if (named !== undefined) for (const trait of named) countEvent(trait, input);
}

function countEvent(trait: CompiledTrait, { computed, event }: ComputedUpdate): void {
  if (!trait.matches(event)) return;
  const value = trait.valueIn(event);
  if (value === undefined) return;
  const at = event.timestamp;
  const index = bucketIndex(trait, at);
  const { state, buckets } = traitStateIn(computed, trait.key);
  const hi = latestOf(state);
  if (hi === undefined || at > hi) {
    state['hi'] = at;
    pruneBuckets({ trait, buckets, hi: at });
  } else if (bucketEnd(trait, index) <= windowStart(trait, hi)) {
    return;
  }
  trait.accumulator.add(bucketAt(buckets, bucketKey(trait, index)), value, at, event.messageId);
}
