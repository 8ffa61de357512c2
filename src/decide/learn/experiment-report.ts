import type { LearningState } from './learning-state.ts';
import { type LiftEstimate, liftAgainstControl } from './lift-interval.ts';

/** The method every lift interval is computed with, stated in each report. */
export const LIFT_METHOD =
  "Newcombe's hybrid score interval (Wilson score intervals of each rate) for the difference of " +
  'conversion rates, at 95%; relative lift and its interval are the difference over the control rate';

/** One arm of an experiment as reported: exposures, conversions, rate, value, and lift against control. */
export interface ArmReport {
  arm: string;
  control: boolean;
  exposures: number;
  conversions: number;
  rate: number;
  value: number;
  lift?: LiftEstimate;
}

/** One learning action's counts overall and per bin. */
export interface ActionLearningReport {
  action: string;
  decisions: number;
  conversions: number;
  rate: number;
  bins: { bin: string; decisions: number; conversions: number; rate: number }[];
}

/** What `GET /v1/experiments/{key}` answers. */
export interface ExperimentReport {
  key: string;
  description: string;
  method: string;
  arms: ArmReport[];
  actions?: ActionLearningReport[];
}

/**
 * The holdout as an experiment: next best action (decisions whose winner has a goal, decided as
 * they came) against the control group held out (the same decisions, held out), with goals
 * credited to each; and what each learning action learned. Counts come from the learning state.
 */
export function holdoutReport(state: LearningState, actions: readonly string[]): ExperimentReport {
  const { action, held_out: heldOut } = state.groups;
  const control = { exposures: heldOut.decisions, conversions: heldOut.conversions };
  const arm = { exposures: action.decisions, conversions: action.conversions };
  return {
    key: 'holdout',
    description:
      'Next best action against the holdout group: decisions whose winning action has a goal, and the goals credited to them',
    method: LIFT_METHOD,
    arms: [
      { arm: 'held_out', control: true, ...control, rate: rateOf(control), value: heldOut.value },
      {
        arm: 'next_best_action',
        control: false,
        ...arm,
        rate: rateOf(arm),
        value: action.value,
        lift: liftAgainstControl(arm, control),
      },
    ],
    actions: actions.map((key) => {
      const pooled = state.model.counts(key);
      return {
        action: key,
        decisions: pooled.trials,
        conversions: pooled.successes,
        rate: pooled.trials > 0 ? pooled.successes / pooled.trials : 0,
        bins: state.model
          .binsOf(key)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([bin, counts]) => ({
            bin,
            decisions: counts.trials,
            conversions: counts.successes,
            rate: counts.trials > 0 ? counts.successes / counts.trials : 0,
          })),
      };
    }),
  };
}

function rateOf(counts: { exposures: number; conversions: number }): number {
  return counts.exposures > 0 ? counts.conversions / counts.exposures : 0;
}
