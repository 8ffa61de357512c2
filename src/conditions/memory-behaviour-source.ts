import type { BehaviourQuery, BehaviourSource } from './behaviour-source.ts';

/** One event in an in-memory history: its name, when it happened and its properties. */
export interface RememberedEvent {
  event: string;
  /** Epoch milliseconds. */
  timestamp: number;
  properties?: Record<string, unknown>;
}

/**
 * A `BehaviourSource` over a plain list of one person's events: for tests, the decision
 * simulator and backfills small enough to hold in memory. It scans the list on each count.
 */
export function memoryBehaviourSource(events: readonly RememberedEvent[]): BehaviourSource {
  return {
    count(query: BehaviourQuery): number {
      let count = 0;
      for (const item of events) {
        if (item.event !== query.event) continue;
        if (query.since !== undefined && item.timestamp < query.since) continue;
        if (query.until !== undefined && item.timestamp > query.until) continue;
        if (query.where !== undefined && !query.where(item.properties ?? {})) continue;
        count += 1;
      }
      return count;
    },
  };
}
