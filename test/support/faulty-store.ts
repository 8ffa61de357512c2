import { AppendInDoubtError } from '../../src/store/append-in-doubt-error.ts';
import { StoreUnavailableError } from '../../src/store/store-unavailable-error.ts';

/**
 * When an injected fault strikes: `before` the call reaches the store (nothing of it is done, as
 * when the database is unreachable), or `after` it did its work (the answer is lost, as when a
 * connection breaks during COMMIT). An append failing `after` throws AppendInDoubtError, as the
 * PostgreSQL store does; any other call throws StoreUnavailableError.
 */
export type FaultTiming = 'before' | 'after';

/** One fault: the `nth` call (from 1, counted from `arm`) of `method` fails, `timing`. */
export interface Fault {
  method: string;
  nth: number;
  timing: FaultTiming;
}

/** A store wrapped so that one chosen call fails, and every call is counted by method. */
export interface FaultyStore<S> {
  store: S;
  /** Calls so far, by method name. */
  calls: Map<string, number>;
  /** Whether every armed fault has struck. */
  struck(): boolean;
  /** Arms faults (each strikes once), counting calls from now on. */
  arm(faults: readonly Fault[]): void;
}

/**
 * Wraps a store in a proxy that counts calls of the `methods` named (the async ones the engine
 * uses) and fails the armed one. Other properties pass through, bound to the real store.
 */
export function faultyStore<S extends object>(inner: S, methods: readonly string[]): FaultyStore<S> {
  const calls = new Map<string, number>();
  let armed: Fault[] = [];
  const struck = new Set<Fault>();
  const wrapped = new Set(methods);
  const injected = () => new Error('injected store fault');
  const store = new Proxy(inner, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      const method = String(property);
      if (!wrapped.has(method)) return value.bind(target);
      return async (...args: unknown[]) => {
        const nth = (calls.get(method) ?? 0) + 1;
        calls.set(method, nth);
        const fault = armed.find((each) => each.method === method && each.nth === nth && !struck.has(each));
        if (fault !== undefined) struck.add(fault);
        if (fault?.timing === 'before') throw new StoreUnavailableError(injected());
        const result: unknown = await value.apply(target, args);
        if (fault !== undefined) {
          throw method === 'appendEvents'
            ? new AppendInDoubtError(new StoreUnavailableError(injected()))
            : new StoreUnavailableError(injected());
        }
        return result;
      };
    },
  });
  return {
    store,
    calls,
    struck: () => armed.every((fault) => struck.has(fault)),
    arm(faults) {
      calls.clear();
      armed = [...faults];
      struck.clear();
    },
  };
}
