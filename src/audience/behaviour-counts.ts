import type { BehaviourQuery, BehaviourSource, EventFilter } from '../conditions/behaviour-source.ts';
import type { PerformedRead } from '../conditions/compile-condition.ts';
import { countBetween } from '../profile/computed/behaviour-trait.ts';
import { type CompiledTrait, compileTrait } from '../profile/computed/compile-computed-traits.ts';
import type { ComputedTraitState } from '../profile/computed/computed-trait.ts';

/** `$performed` counts track events by name, and page and screen views by their name. */
export const PERFORMED_TYPES: ('track' | 'page' | 'screen')[] = ['track', 'page', 'screen'];

/** The hidden counts for one (event, where) pair: one over all time, one over the widest `within`. */
interface CountsFor {
  wantsAllTime: boolean;
  widestWithin?: number;
  allTime?: CompiledTrait;
  windowed?: CompiledTrait;
}

/**
 * The counts segments' `$performed` conditions need, kept on every event as hidden computed
 * traits (so they merge, expire and replay like any computed trait) and read back as a
 * `BehaviourSource`. One count per distinct event and `where`; a windowed count keeps the widest
 * `within` asked of it, and narrower windows read a part of its buckets.
 */
export interface BehaviourCounts {
  /** The hidden traits to keep (passed to `compileComputedTraits` as `hidden`). */
  readonly traits: readonly CompiledTrait[];
  /** The hidden trait that answers a `$performed` read (its windowed or all-time count). */
  traitFor(read: PerformedRead): CompiledTrait | undefined;
  /** Counts the person's events from the hidden traits in a profile's `computed` map. */
  source(computed: Record<string, ComputedTraitState>): BehaviourSource;
}

/**
 * Compiles the counts behind every `$performed` read. `between` windows are not kept (the
 * workspace loader refuses them in segments): such queries count 0.
 */
export function compileBehaviourCounts(reads: readonly PerformedRead[]): BehaviourCounts {
  const byWhere = new Map<EventFilter | undefined, Map<string, CountsFor>>();
  for (const read of reads) {
    let byEvent = byWhere.get(read.where);
    if (byEvent === undefined) {
      byEvent = new Map();
      byWhere.set(read.where, byEvent);
    }
    let counts = byEvent.get(read.event);
    if (counts === undefined) {
      counts = { wantsAllTime: false };
      byEvent.set(read.event, counts);
    }
    if (read.window.kind === 'within')
      counts.widestWithin = Math.max(counts.widestWithin ?? 0, read.window.ms);
    else if (read.window.kind === 'all') counts.wantsAllTime = true;
  }
  const traits: CompiledTrait[] = [];
  for (const [where, byEvent] of byWhere) {
    for (const [event, counts] of byEvent) {
      const matches =
        where === undefined
          ? () => true
          : (e: { properties: Record<string, unknown> }) => where(e.properties);
      const make = (windowMs: number | undefined): CompiledTrait => {
        const key = `$performed.${traits.length}`;
        const trait = compileTrait(
          {
            key,
            aggregate: 'count',
            eventTypes: PERFORMED_TYPES,
            events: [event],
            ...(windowMs === undefined ? {} : { windowMs }),
          },
          matches,
        );
        traits.push(trait);
        return trait;
      };
      if (counts.wantsAllTime) counts.allTime = make(undefined);
      if (counts.widestWithin !== undefined) counts.windowed = make(counts.widestWithin);
    }
  }
  return {
    traits,
    traitFor(read) {
      const counts = byWhere.get(read.where)?.get(read.event);
      if (read.window.kind === 'within') return counts?.windowed;
      return read.window.kind === 'all' ? counts?.allTime : undefined;
    },
    source(computed) {
      return {
        count(query: BehaviourQuery): number {
          const counts = byWhere.get(query.where)?.get(query.event);
          if (counts === undefined) return 0;
          if (query.since === undefined) {
            const trait = counts.allTime;
            return trait === undefined
              ? 0
              : countBetween(computed[trait.key], trait, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
          }
          const trait = counts.windowed;
          return trait === undefined
            ? 0
            : countBetween(computed[trait.key], trait, query.since, query.until ?? Number.POSITIVE_INFINITY);
        },
      };
    },
  };
}
