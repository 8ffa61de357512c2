import { runSimulation, type SimulationResult } from '../simulate/run-simulation.ts';
import { readScenario, type Scenario } from '../simulate/scenario.ts';
import { readWorkspaceFile } from '../workspace/read-workspace-file.ts';
import { describeLift } from './experiments-command.ts';

/** The targets the shipped scenario is held to (see docs/decisions.md). */
export const TARGETS = { shareOfOracleLift: 0.9, overStatic: 0.15 } as const;

/** How the learned policy did against the targets. */
export interface TargetCheck {
  /** The learned policy's lift over the holdout as a share of the oracle's. */
  shareOfOracleLift: number;
  /** How much better than the best static rule, relatively. */
  overStatic: number;
  violations: number;
  met: boolean;
}

/** Checks a simulation's evaluation window against `TARGETS` (and zero violations). */
export function checkTargets(result: SimulationResult): TargetCheck {
  const { window } = result;
  const oracleLift = window.oracle - window.holdout;
  const shareOfOracleLift = oracleLift > 0 ? (window.learned - window.holdout) / oracleLift : 0;
  const overStatic = window.static > 0 ? window.learned / window.static - 1 : 0;
  const violations = result.violations.consent + result.violations.caps;
  return {
    shareOfOracleLift,
    overStatic,
    violations,
    met:
      shareOfOracleLift >= TARGETS.shareOfOracleLift && overStatic >= TARGETS.overStatic && violations === 0,
  };
}

/** `tailor simulate <scenario.yaml>`: runs it and returns the report, with whether the targets were met. */
export async function simulateCommand(input: {
  path: string;
  onProgress?: (done: number, total: number) => void;
}): Promise<{ report: string; met: boolean }> {
  const scenario = await readScenario(input.path);
  const workspace = await readWorkspaceFile(scenario.workspacePath);
  const started = Date.now();
  const result = await runSimulation({
    scenario,
    workspace,
    ...(input.onProgress === undefined ? {} : { onProgress: input.onProgress }),
  });
  const check = checkTargets(result);
  return {
    report: describeSimulation({
      path: input.path,
      scenario,
      result,
      check,
      seconds: (Date.now() - started) / 1000,
    }),
    met: check.met,
  };
}

/** The simulation report as text. */
export function describeSimulation(input: {
  path: string;
  scenario: Scenario;
  result: SimulationResult;
  check: TargetCheck;
  seconds: number;
}): string {
  const { scenario, result, check } = input;
  const { window, overall } = result;
  const row = (name: string, rate: number, overallRate: number, note = '') =>
    `  ${name.padEnd(20)} ${rate.toFixed(4).padStart(8)}   ${overallRate.toFixed(4).padStart(8)}   ${lift(rate, window.holdout).padStart(9)}${note}`;
  const days = scenario.durationMs / 86_400_000;
  // A placement scenario's options are variants shown, not contacts.
  const unit = scenario.placement === undefined ? 'contact' : 'showing';
  const lines = [
    `simulated ${scenario.people} people, ${result.decisions} decisions${scenario.placement === undefined ? '' : ` of the placement ${scenario.placement}`} over ${days} days (seed ${scenario.seed}) in ${input.seconds.toFixed(1)} s`,
    `goals per ${unit}, expected from the hidden probabilities, over the same ${unit}s:`,
    `  ${'policy'.padEnd(20)} ${'window'.padStart(8)}   ${'overall'.padStart(8)}   ${'vs holdout'.padStart(9)}`,
    row(
      'learned policy',
      window.learned,
      overall.learned,
      `   (observed in the window: ${window.contacts === 0 ? '-' : result.windowObserved.toFixed(4)})`,
    ),
    row('best static rule', window.static, overall.static, `   (${window.staticAction} to everyone)`),
    row('random', window.random, overall.random),
    row(
      scenario.placement === undefined ? 'holdout (no action)' : 'none (not shown)',
      window.holdout,
      overall.holdout,
    ),
    row('oracle', window.oracle, overall.oracle),
    `window: the ${window.contacts} ${unit}s of the ${scenario.evaluate} decisions after the first ${scenario.decisions}; overall: all ${overall.contacts} ${unit}s`,
    `learned policy: ${(check.shareOfOracleLift * 100).toFixed(1)}% of the oracle's lift over holdout (target >= ${TARGETS.shareOfOracleLift * 100}%), ` +
      `${signedPercent(check.overStatic)} against the best static rule (target >= +${TARGETS.overStatic * 100}%)`,
    `contact policy and consent violations: ${check.violations} (consent ${result.violations.consent}, caps ${result.violations.caps})`,
    `decisions: ${result.outcomes.action} ${unit}s, ${result.outcomes.no_action} no action, ${result.outcomes.held_out} held out; ` +
      `${result.explored.overall} won by exploring (${result.explored.window} in the window); ${result.decideMicros.toFixed(0)} µs per decision in the engine`,
    scenario.placement === undefined
      ? `holdout against next best action, measured by Tailor: ${result.holdout.arms
          .map((arm) => `${arm.arm} ${arm.conversions}/${arm.exposures}`)
          .join(', ')}${holdoutLift(result)}`
      : `what each variant learned, measured by Tailor: ${(result.holdout.actions ?? [])
          .map((learner) => `${learner.action} ${learner.conversions}/${learner.decisions}`)
          .join(', ')}`,
    `targets ${check.met ? 'met' : 'NOT met'}`,
  ];
  return `${lines.join('\n')}\n`;
}

function holdoutLift(result: SimulationResult): string {
  const lift = result.holdout.arms.find((arm) => arm.lift !== undefined)?.lift;
  return lift === undefined ? '' : `, lift ${describeLift(lift)}`;
}

function lift(rate: number, holdout: number): string {
  const value = (rate - holdout) * 100;
  return `${value >= 0 ? '+' : ''}${value.toFixed(2)} pt`;
}

function signedPercent(ratio: number): string {
  const value = ratio * 100;
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}%`;
}
