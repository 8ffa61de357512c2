/**
 * A filter over one event's `properties`, compiled from the `where` of a `$performed`
 * condition. A behaviour source calls it for each candidate event.
 */
export type EventFilter = (properties: Record<string, unknown>) => boolean;

/** What a `$performed` condition asks of a person's history, compiled once per condition. */
export interface BehaviourQuery {
  /** The event name, as sent in `track` (`Pricing Viewed`). */
  readonly event: string;
  /** Only events whose properties pass this filter count; absent means every event counts. */
  readonly where?: EventFilter;
  /** Epoch ms, inclusive: events before it do not count. Absent means since the beginning. */
  readonly since?: number;
  /** Epoch ms, inclusive: events after it do not count. Absent means up to the latest. */
  readonly until?: number;
}

/**
 * The history port behind `$performed`: how many times one person did something. Passed at
 * evaluation, so the compiled condition stays pure. Segments implement it over the counters a
 * profile keeps; `memoryBehaviourSource` implements it over a list of events.
 */
export interface BehaviourSource {
  /** The number of the person's events that match the query. */
  count(query: BehaviourQuery): number;
}
