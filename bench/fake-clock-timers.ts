/**
 * What the benchmarks of timed work on the durable path share: a fake clock moved in 250 ms
 * steps with `fireDueTimers` called at each, as a 250 ms timer would, the store's due index
 * read whole, and percentiles.
 */
import type { FakeClock } from '../src/clock.ts';
import type { Engine } from '../src/engine/engine.ts';
import type { DueProfile } from '../src/store/ports/view-store.ts';
import type { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';

/** How far the fake clock moves between two calls of `fireDueTimers`. */
export const STEP_MS = 250;

/** Longer than any run, shorter than the largest delay `setInterval` takes: the benchmark fires timers itself. */
export const NO_TIMER_MS = 2_000_000_000;

/** The 50th and 99th percentiles and the maximum of a list of numbers. */
export interface Spread {
  p50: number;
  p99: number;
  max: number;
}

/** The 50th and 99th percentiles (nearest rank) and the maximum; zeros for an empty list. */
export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}

/** Every profile of the workspace due at any time, by due moment, from the store's due index. */
export async function allDue(store: SqliteStore, workspaceId: string): Promise<DueProfile[]> {
  const due: DueProfile[] = [];
  for (let after: DueProfile | undefined; ; ) {
    const page = await store.dueProfiles({
      workspaceId,
      at: Number.MAX_SAFE_INTEGER,
      limit: 5_000,
      ...(after === undefined ? {} : { after }),
    });
    due.push(...page);
    after = page.at(-1);
    if (page.length < 5_000) return due;
  }
}

/** What moving the clock through a span of due moments took. */
export interface FiringPass {
  /** Real time of the pass, including the final view commit. */
  seconds: number;
  /** Steps of the clock. */
  steps: number;
  /** Wall time of each call of `fireDueTimers` that logged a timer record (ms). */
  firingMs: number[];
}

/**
 * Sets the clock to the whole second before `first`, a second early (a timer's phase has
 * nothing to do with the due moments), and moves it in `STEP_MS` steps until it is at or past
 * `last`, calling `fireDueTimers` at each step, then commits the view. Each timer record logged
 * is noted in `firedAt` (its log position → the fake time it fired at): derived events carry
 * their cause's position, so `firedAt.get(derived.seq)` is when a derived event was fired.
 */
export async function fireThrough(input: {
  engine: Engine;
  store: SqliteStore;
  clock: FakeClock;
  first: number;
  last: number;
  firedAt: Map<number, number>;
}): Promise<FiringPass> {
  const { engine, store, clock, last, firedAt } = input;
  clock.set(Math.floor(input.first / 1000) * 1000 - 1000);
  const firingMs: number[] = [];
  let steps = 0;
  let seq = await store.lastSeq();
  const started = performance.now();
  while (clock.now() < last) {
    clock.advance(STEP_MS);
    steps += 1;
    const stepStarted = performance.now();
    await engine.fireDueTimers();
    const ms = performance.now() - stepStarted;
    const now = await store.lastSeq();
    if (now > seq) {
      firedAt.set(now, clock.now());
      firingMs.push(ms);
      seq = now;
    }
  }
  await engine.commit();
  return { seconds: (performance.now() - started) / 1000, steps, firingMs };
}
