import type { EventType } from './event.ts';

/**
 * Definitions (computed traits, score rules, …) indexed by the events that can affect them, so
 * an event visits only those: a definition on `Order Completed` is never looked at for
 * `Page Viewed`, and per-event cost does not grow with definitions the event cannot match.
 */
export interface EventIndex<T> {
  /** Definitions naming events: by event type, then by event (or page/screen) name. */
  readonly named: ReadonlyMap<EventType, ReadonlyMap<string, readonly T[]>>;
  /** Definitions for any event of a type, by event type. */
  readonly unnamed: ReadonlyMap<EventType, readonly T[]>;
}

/** What one definition matches: event types (empty means `track`) and, optionally, names. */
export interface IndexEntry<T> {
  item: T;
  types: readonly EventType[];
  names?: readonly string[] | undefined;
}

/** Builds the index once per definition version, keeping definition order within each list. */
export function buildEventIndex<T>(entries: Iterable<IndexEntry<T>>): EventIndex<T> {
  const named = new Map<EventType, Map<string, T[]>>();
  const unnamed = new Map<EventType, T[]>();
  for (const { item, types, names } of entries) {
    for (const type of new Set<EventType>(types.length > 0 ? types : ['track'])) {
      if (names === undefined) {
        listAt(unnamed, type).push(item);
        continue;
      }
      let byName = named.get(type);
      if (byName === undefined) {
        byName = new Map();
        named.set(type, byName);
      }
      for (const name of new Set(names)) listAt(byName, name).push(item);
    }
  }
  return { named, unnamed };
}

function listAt<K, T>(map: Map<K, T[]>, key: K): T[] {
  let list = map.get(key);
  if (list === undefined) {
    list = [];
    map.set(key, list);
  }
  return list;
}
