/**
 * The clock, passed into everything that needs the time so tests control it.
 * Returns epoch milliseconds.
 */
export type Clock = () => number;

/** The wall clock. */
export const systemClock: Clock = () => Date.now();

/** A clock tests move by hand. */
export interface FakeClock {
  now: Clock;
  set(ms: number): void;
  advance(ms: number): void;
}

/** Creates a fake clock starting at `start` (epoch ms or ISO date). */
export function fakeClock(start: number | string = '2026-01-01T00:00:00Z'): FakeClock {
  let current = typeof start === 'string' ? Date.parse(start) : start;
  return {
    now: () => current,
    set: (ms) => {
      current = ms;
    },
    advance: (ms) => {
      current += ms;
    },
  };
}
