import { isJsonObject } from '../../ingest/merge-objects.ts';
import type { Aggregate } from './computed-trait.ts';
import { type ComputedValue, isScalar, type Scalar, toFiniteNumber } from './scalar.ts';

/**
 * The partial aggregate of one time bucket (or of all time): plain JSON, stored with the
 * profile. Its fields depend on the aggregate: `n` count, `s` sum, `v` value, `at`/`id` time
 * and message id of the event that gave `v`, `d` distinct keys, `f`/`t` counts and last times
 * per value key.
 */
export type PartialAggregate = Record<string, unknown>;

/**
 * How one aggregate is kept: folding an event's value in, combining two partials (for windows
 * and profile merges), and reading the result. `combine` must be exact and order-free, so
 * that merged profiles and replays in any order give the same state.
 */
export interface Accumulator {
  /** The value an event contributes, or undefined when the value found at the property does not count. */
  accept(value: unknown): Scalar | undefined;
  add(partial: PartialAggregate, value: Scalar, at: number, messageId: string): void;
  /** Folds `from` into `into`; never keeps references into `from`. */
  combine(into: PartialAggregate, from: PartialAggregate): void;
  result(partial: PartialAggregate | undefined): ComputedValue;
}

/** How many distinct values `distinct_count` keeps; its value is capped there. */
export const DISTINCT_CAP = 1000;

const present = (value: unknown): Scalar | undefined =>
  value === undefined || value === null ? undefined : 1;
const scalar = (value: unknown): Scalar | undefined => (isScalar(value) ? value : undefined);

function num(partial: PartialAggregate | undefined, field: string): number | undefined {
  const value = partial?.[field];
  return typeof value === 'number' ? value : undefined;
}

function addTo(partial: PartialAggregate, field: string, amount: number): void {
  partial[field] = (num(partial, field) ?? 0) + amount;
}

/** Keeps the smaller (`min`) or larger (`max`) number in `v`. */
function extreme(pick: (a: number, b: number) => number): Accumulator {
  const keep = (partial: PartialAggregate, value: number | undefined): void => {
    if (value === undefined) return;
    const current = num(partial, 'v');
    partial['v'] = current === undefined ? value : pick(current, value);
  };
  return {
    accept: toFiniteNumber,
    add: (partial, value) => keep(partial, toFiniteNumber(value)),
    combine: (into, from) => keep(into, num(from, 'v')),
    result: (partial) => num(partial, 'v') ?? null,
  };
}

/**
 * Keeps the value of the earliest (`first`) or latest (`last`) event by event time; equal times
 * are broken by message id so the outcome does not depend on arrival order.
 */
function positional(wantEarlier: boolean): Accumulator {
  const keep = (partial: PartialAggregate, value: unknown, at: number | undefined, id: unknown): void => {
    if (!isScalar(value) || at === undefined || typeof id !== 'string') return;
    const currentAt = num(partial, 'at');
    const currentId = partial['id'];
    if (currentAt !== undefined && typeof currentId === 'string') {
      const sign = at === currentAt ? (id < currentId ? -1 : id > currentId ? 1 : 0) : at - currentAt;
      if (wantEarlier ? sign >= 0 : sign <= 0) return;
    }
    partial['v'] = value;
    partial['at'] = at;
    partial['id'] = id;
  };
  return {
    accept: scalar,
    add: (partial, value, at, messageId) => keep(partial, value, at, messageId),
    combine: (into, from) => keep(into, from['v'], num(from, 'at'), from['id']),
    result: (partial) => {
      const value = partial?.['v'];
      return isScalar(value) ? value : null;
    },
  };
}

/** The map kept under `field`, created when missing. */
function mapAt(partial: PartialAggregate, field: string): Record<string, unknown> {
  const current = partial[field];
  if (isJsonObject(current)) return current;
  const created: Record<string, unknown> = {};
  partial[field] = created;
  return created;
}

/**
 * Adds a value key to the distinct set `d` (with its size in `n`). Past the cap it keeps the
 * smallest keys, so the kept set depends only on the values seen, never on their order.
 */
function addDistinct(partial: PartialAggregate, key: string): void {
  const keys = mapAt(partial, 'd');
  if (Object.hasOwn(keys, key)) return;
  const size = num(partial, 'n') ?? 0;
  if (size < DISTINCT_CAP) {
    keys[key] = 1;
    partial['n'] = size + 1;
    return;
  }
  let largest = key;
  for (const kept in keys) if (kept > largest) largest = kept;
  if (largest === key) return;
  delete keys[largest];
  keys[key] = 1;
}

/** Adds `count` occurrences of a value key, last seen at `at`, to the counts `f` and times `t`. */
function addFrequency(partial: PartialAggregate, key: string, count: number, at: number): void {
  const counts = mapAt(partial, 'f');
  const times = mapAt(partial, 't');
  const n = counts[key];
  const last = times[key];
  counts[key] = (typeof n === 'number' ? n : 0) + count;
  times[key] = typeof last === 'number' && last > at ? last : at;
}

/** The most frequent value key; ties go to the most recently seen, then to the smaller key. */
function mostFrequentKey(partial: PartialAggregate | undefined): string | undefined {
  const counts = partial?.['f'];
  const times = partial?.['t'];
  if (!isJsonObject(counts) || !isJsonObject(times)) return undefined;
  let best: { key: string; n: number; at: number } | undefined;
  for (const key in counts) {
    const n = counts[key];
    const at = times[key];
    if (typeof n !== 'number' || typeof at !== 'number') continue;
    if (
      best === undefined ||
      n > best.n ||
      (n === best.n && (at > best.at || (at === best.at && key < best.key)))
    ) {
      best = { key, n, at };
    }
  }
  return best?.key;
}

function decodeKey(key: string): ComputedValue {
  const value: unknown = JSON.parse(key);
  return isScalar(value) ? value : null;
}

/** The accumulator of each aggregate. Value keys (`distinct_count`, `most_frequent`) are JSON texts, so `1` and `"1"` differ. */
export const ACCUMULATORS: Record<Aggregate, Accumulator> = {
  count: {
    accept: present,
    add: (partial) => addTo(partial, 'n', 1),
    combine: (into, from) => addTo(into, 'n', num(from, 'n') ?? 0),
    result: (partial) => num(partial, 'n') ?? 0,
  },
  sum: {
    accept: toFiniteNumber,
    add: (partial, value) => addTo(partial, 's', toFiniteNumber(value) ?? 0),
    combine: (into, from) => addTo(into, 's', num(from, 's') ?? 0),
    result: (partial) => num(partial, 's') ?? 0,
  },
  min: extreme(Math.min),
  max: extreme(Math.max),
  avg: {
    accept: toFiniteNumber,
    add: (partial, value) => {
      addTo(partial, 's', toFiniteNumber(value) ?? 0);
      addTo(partial, 'n', 1);
    },
    combine: (into, from) => {
      addTo(into, 's', num(from, 's') ?? 0);
      addTo(into, 'n', num(from, 'n') ?? 0);
    },
    result: (partial) => {
      const n = num(partial, 'n');
      return n === undefined || n === 0 ? null : (num(partial, 's') ?? 0) / n;
    },
  },
  first: positional(true),
  last: positional(false),
  distinct_count: {
    accept: scalar,
    add: (partial, value) => addDistinct(partial, JSON.stringify(value)),
    combine: (into, from) => {
      const keys = from['d'];
      if (isJsonObject(keys)) for (const key in keys) addDistinct(into, key);
    },
    result: (partial) => num(partial, 'n') ?? 0,
  },
  most_frequent: {
    accept: scalar,
    add: (partial, value, at) => addFrequency(partial, JSON.stringify(value), 1, at),
    combine: (into, from) => {
      const counts = from['f'];
      const times = from['t'];
      if (!isJsonObject(counts) || !isJsonObject(times)) return;
      for (const key in counts) {
        const n = counts[key];
        const at = times[key];
        if (typeof n === 'number' && typeof at === 'number') addFrequency(into, key, n, at);
      }
    },
    result: (partial) => {
      const key = mostFrequentKey(partial);
      return key === undefined ? null : decodeKey(key);
    },
  },
};
