import type { Store } from '../store/store.ts';
import type { TailorMetrics } from './tailor-metrics.ts';

/**
 * The store with its appends to the event log and its view commits timed into `metrics`; every
 * other call goes straight through. The engine takes it like any store, so measuring the write
 * path needs nothing of the engine.
 */
export function timedStore(store: Store, metrics: TailorMetrics): Store {
  const appendEvents: Store['appendEvents'] = async (events) => {
    const start = performance.now();
    try {
      return await store.appendEvents(events);
    } finally {
      metrics.appended(performance.now() - start);
    }
  };
  const commitView: Store['commitView'] = async (commit) => {
    const start = performance.now();
    try {
      return await store.commitView(commit);
    } finally {
      metrics.committed(performance.now() - start);
    }
  };
  // Methods bound once, so a call through the proxy costs no allocation.
  const bound = new Map<string | symbol, unknown>([
    ['appendEvents', appendEvents],
    ['commitView', commitView],
  ]);
  return new Proxy(store, {
    get(target, key) {
      const found = bound.get(key);
      if (found !== undefined) return found;
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      const method: unknown = value.bind(target);
      bound.set(key, method);
      return method;
    },
  });
}
