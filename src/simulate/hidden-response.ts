import type { Scenario } from './scenario.ts';

/** What the hidden response reads about one decision: situation paths and their values (`traits.plan`). */
export type Situation = Readonly<Record<string, string | number | boolean>>;

/** The option of doing nothing, in a scenario's response table. */
export const NO_ACTION = 'none';

/**
 * The probability of the goal for a decision in `situation` that chose `action` (`none` for no
 * action): the first `respond` rule whose `when` all match, its `p` for the action, else its
 * `none`, else 0. Hidden from the policy: only the simulator reads it.
 */
export function responseProbability(scenario: Scenario, situation: Situation, action: string): number {
  for (const rule of scenario.respond) {
    let matches = true;
    for (const [path, value] of Object.entries(rule.when)) {
      if (situation[path] !== value) {
        matches = false;
        break;
      }
    }
    if (matches) return rule.p[action] ?? rule.p[NO_ACTION] ?? 0;
  }
  return 0;
}
