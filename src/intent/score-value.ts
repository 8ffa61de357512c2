import type { CompiledScore } from './compile-scores.ts';
import type { ScoreState } from './score-model.ts';

/**
 * `points` earned at time `from`, decayed to time `to` with a half-life (no decay without one).
 * For `to` before `from` the factor is above 1: callers use that only to bring points back to a
 * common reference time, which keeps updates independent of the order of events.
 */
export function decayPoints(input: {
  points: number;
  from: number;
  to: number;
  halfLifeMs: number | undefined;
}): number {
  const { points, from, to, halfLifeMs } = input;
  if (halfLifeMs === undefined || from === to) return points;
  return points * 0.5 ** ((to - from) / halfLifeMs);
}

/**
 * The value of a score at time `now`: decayed by the clock (so it falls with no new events),
 * then held within the score's `min`/`max`. Read before its latest event (`now < at`), the
 * value is not grown back: it reads as it stood at `at`. No state reads 0, clamped.
 */
export function scoreValue(state: ScoreState | undefined, score: CompiledScore, now: number): number {
  const raw =
    state === undefined
      ? 0
      : decayPoints({
          points: state.v,
          from: state.at,
          to: Math.max(now, state.at),
          halfLifeMs: score.halfLifeMs,
        });
  return Math.min(Math.max(raw, score.min), score.max);
}

/** The label a value earns: the highest threshold it reaches, or null below them all. */
export function scoreLabel(value: number, score: CompiledScore): string | null {
  for (const threshold of score.labels) if (value >= threshold.min) return threshold.label;
  return null;
}
