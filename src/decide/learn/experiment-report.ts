import type { CompiledExperiment } from './experiment-arms.ts';
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

/** One learner's counts overall and per bin: an action, or a placement's variant (`placement/variant`). */
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
 * credited to each; and what each learner (action or placement variant) learned. Counts come from the learning state.
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

/**
 * An experiment over an action set or a placement: each arm's exposures (decisions, or
 * placements shown) and the goals credited to them, with the lift of every other arm against
 * the control arm.
 */
export function armsReport(state: LearningState, experiment: CompiledExperiment): ExperimentReport {
  const counts = (arm: string) => {
    const { decisions, conversions, value } = state.armCounts(experiment.key, arm);
    return { exposures: decisions, conversions, value };
  };
  const control = counts(experiment.control);
  return {
    key: experiment.key,
    description: `${
      experiment.placement === undefined
        ? `Arms over ${[...experiment.members].join(', ')}`
        : `Arms over the variants of ${experiment.placement} (${[...experiment.members].join(', ')})`
    }, goal ${experiment.def.goal.event}; control: ${experiment.control}`,
    method: LIFT_METHOD,
    arms: experiment.def.arms.map((arm) => {
      const own = counts(arm.key);
      const isControl = arm.key === experiment.control;
      return {
        arm: arm.key,
        control: isControl,
        exposures: own.exposures,
        conversions: own.conversions,
        rate: rateOf(own),
        value: own.value,
        ...(isControl ? {} : { lift: liftAgainstControl(own, control) }),
      };
    }),
  };
}
