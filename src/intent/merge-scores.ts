import type { CompiledScores } from './compile-scores.ts';
import type { ScoreState } from './score-model.ts';
import { decayPoints } from './score-value.ts';

/**
 * Merges the score states of a profile being absorbed (`from`) into `into`: both are brought to
 * the later `at` and added, which equals the state one profile would hold had it seen every
 * event of both. Only scores of the current definition are merged: a state `into` lacks and the
 * definition no longer has is dropped (a rebuild recomputes it).
 */
export function mergeScores(input: {
  into: Record<string, ScoreState>;
  from: Record<string, ScoreState>;
  compiled: CompiledScores;
}): void {
  const { into, from, compiled } = input;
  for (const score of compiled.scores) {
    const other = from[score.key];
    if (other === undefined) continue;
    const mine = into[score.key];
    if (mine === undefined) {
      into[score.key] = { v: other.v, at: other.at };
      continue;
    }
    const at = Math.max(mine.at, other.at);
    const { halfLifeMs } = score;
    mine.v =
      decayPoints({ points: mine.v, from: mine.at, to: at, halfLifeMs }) +
      decayPoints({ points: other.v, from: other.at, to: at, halfLifeMs });
    mine.at = at;
  }
}
