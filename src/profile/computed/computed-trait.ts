import type { EventType } from '../../ingest/event.ts';

/** The aggregations a computed trait can keep. */
export const AGGREGATES = [
  'count',
  'sum',
  'min',
  'max',
  'avg',
  'first',
  'last',
  'distinct_count',
  'most_frequent',
] as const;

/** One of the aggregations a computed trait can keep. */
export type Aggregate = (typeof AGGREGATES)[number];

/** A comparison in a property filter; a bare value means equality. */
export type FilterOperand =
  | string
  | number
  | boolean
  | null
  | {
      $eq?: unknown;
      $ne?: unknown;
      $in?: unknown[];
      $nin?: unknown[];
      $gt?: number | string;
      $gte?: number | string;
      $lt?: number | string;
      $lte?: number | string;
      $exists?: boolean;
    };

/**
 * A computed trait as declared in the workspace file: an aggregate over matching events,
 * kept incrementally on every event.
 */
export interface ComputedTraitDef {
  /** The name under `computed` in the profile. */
  key: string;
  aggregate: Aggregate;
  /** Event types that count (default: `['track']`). */
  eventTypes: EventType[];
  /** `track` event names (or page/screen names) that count; absent means any. */
  events?: string[];
  /** Dotted path into the event of the value to aggregate (`properties.revenue`, `context.channel`); `count` needs none. */
  property?: string;
  /** Property filters: dotted path → value or comparison; all must hold. */
  where?: Record<string, FilterOperand>;
  /** Sliding window in milliseconds (parsed from `7d`, `30d`, `12h`); absent means all time. */
  windowMs?: number;
}

/**
 * The incremental state of one computed trait on one profile. It is plain JSON (stored with
 * the profile) and owned by the computed-trait module; other modules treat it as opaque.
 */
export type ComputedTraitState = Record<string, unknown>;
