import { NO_ACTION, responseProbability, type Situation } from './hidden-response.ts';
import type { Scenario } from './scenario.ts';

/** One contact the learned policy made: who it was for (their situation) and what it chose. */
export interface ContactSlot {
  situation: Situation;
  action: string;
}

/** Expected goals per contact of each policy over the same contacts, and the best static action. */
export interface PolicyRates {
  contacts: number;
  learned: number;
  /** The single action that, given to everyone, does best: the best static rule. */
  staticAction: string;
  static: number;
  random: number;
  holdout: number;
  oracle: number;
}

/**
 * What each policy would expect per contact over the same contacts, from the hidden
 * probabilities (exact expectations, so the comparison has no sampling noise): the learned
 * policy's choices; the best single action for everyone; a uniformly random action; no action
 * (the holdout); and the oracle's best action for each situation.
 */
export function policyRates(input: {
  scenario: Scenario;
  actions: readonly string[];
  slots: readonly ContactSlot[];
}): PolicyRates {
  const { scenario, actions, slots } = input;
  const p = (situation: Situation, action: string) => responseProbability(scenario, situation, action);
  const totals = new Map(actions.map((action) => [action, 0]));
  let learned = 0;
  let holdout = 0;
  let oracle = 0;
  for (const { situation, action } of slots) {
    learned += p(situation, action);
    holdout += p(situation, NO_ACTION);
    let best = 0;
    for (const candidate of actions) {
      const value = p(situation, candidate);
      totals.set(candidate, (totals.get(candidate) ?? 0) + value);
      best = Math.max(best, value);
    }
    oracle += best;
  }
  let staticAction = actions[0] ?? NO_ACTION;
  for (const action of actions)
    if ((totals.get(action) ?? 0) > (totals.get(staticAction) ?? 0)) staticAction = action;
  const n = Math.max(slots.length, 1);
  const all = [...totals.values()].reduce((sum, value) => sum + value, 0);
  return {
    contacts: slots.length,
    learned: learned / n,
    staticAction,
    static: (totals.get(staticAction) ?? 0) / n,
    random: all / n / Math.max(actions.length, 1),
    holdout: holdout / n,
    oracle: oracle / n,
  };
}
