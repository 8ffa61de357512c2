import { compilePath } from '../../conditions/path-getter.ts';
import type { ErrorDetail } from '../../errors.ts';
import type { ExperimentDef } from '../decision-def.ts';
import { holdoutBucket } from '../holdout.ts';

/** An arm ready for assignment: people whose bucket is below `upTo` (and above the previous arm's) fall in it. */
export interface CompiledArm {
  readonly key: string;
  /** The one action of the set it may get; undefined for the control. */
  readonly action: string | undefined;
  readonly upTo: number;
}

/** An experiment compiled once with its definition. */
export interface CompiledExperiment {
  readonly key: string;
  readonly def: ExperimentDef;
  readonly actions: ReadonlySet<string>;
  readonly arms: readonly CompiledArm[];
  /** The control arm's key. */
  readonly control: string;
  /** Reads the goal's value from a goal event; undefined without `goal.value`. */
  readonly goalValue: ((event: Record<string, unknown>) => unknown) | undefined;
}

/**
 * Checks and compiles an experiment against the workspace's action keys: its actions exist and
 * are listed once, each arm's action is one of them, arm keys are unique, percents add up to at
 * most 100 and exactly one arm is a control (no `action`). Problems go to `issues` under `path`.
 */
export function compileExperiment(input: {
  def: ExperimentDef;
  actionKeys: ReadonlySet<string>;
  path: string;
  issues: ErrorDetail[];
}): CompiledExperiment {
  const { def, path, issues } = input;
  if (def.key === 'holdout')
    issues.push({ path: `${path}.key`, message: '`holdout` names the holdout report: choose another key' });
  const actions = new Set<string>();
  def.actions.forEach((key, index) => {
    if (!input.actionKeys.has(key))
      issues.push({ path: `${path}.actions[${index}]`, message: `names no action: \`${key}\`` });
    if (actions.has(key)) issues.push({ path: `${path}.actions[${index}]`, message: `repeats \`${key}\`` });
    actions.add(key);
  });
  const keys = new Set<string>();
  let upTo = 0;
  const arms = def.arms.map((arm, index): CompiledArm => {
    if (keys.has(arm.key))
      issues.push({ path: `${path}.arms[${index}].key`, message: `repeats the arm key \`${arm.key}\`` });
    keys.add(arm.key);
    if (arm.action !== undefined && !actions.has(arm.action))
      issues.push({
        path: `${path}.arms[${index}].action`,
        message: `\`${arm.action}\` is not in this experiment's \`actions\``,
      });
    upTo += arm.percent;
    return { key: arm.key, action: arm.action, upTo };
  });
  if (upTo > 100)
    issues.push({ path: `${path}.arms`, message: `the arms' percents add up to ${upTo}: at most 100` });
  const controls = def.arms.filter((arm) => arm.action === undefined);
  if (controls.length !== 1)
    issues.push({
      path: `${path}.arms`,
      message: `needs exactly one control arm (an arm without \`action\`), not ${controls.length}`,
    });
  const value = def.goal.value;
  return {
    key: def.key,
    def,
    actions,
    arms,
    control: controls[0]?.key ?? '',
    goalValue: value === undefined ? undefined : compilePath(value),
  };
}

/**
 * The arm a profile falls in: its bucket in [0, 100) is sha256 of the salt, the key and the
 * profile id (as the holdout's), the same for a given person for as long as the salt and the
 * arms stay; undefined past the arms' percents or for someone with no profile.
 */
export function experimentArm(experiment: CompiledExperiment, profileId: string): CompiledArm | undefined {
  if (profileId === '') return undefined;
  const bucket = holdoutBucket(`${experiment.def.salt}:${experiment.key}:`, profileId);
  return experiment.arms.find((arm) => bucket < arm.upTo);
}

/** Whether an arm keeps `action` from being a candidate: it is in the set and not the arm's own. */
export function armExcludes(experiment: CompiledExperiment, arm: CompiledArm, action: string): boolean {
  return experiment.actions.has(action) && arm.action !== action;
}

/** The arms one person falls in, one per experiment they are in. */
export type Assigned = { experiment: CompiledExperiment; arm: CompiledArm }[];

/** The arms the person falls in, one per experiment they are in; undefined when none. */
export function assignArms(
  experiments: readonly CompiledExperiment[],
  profileId: string,
): Assigned | undefined {
  if (experiments.length === 0 || profileId === '') return undefined;
  const assigned: Assigned = [];
  for (const experiment of experiments) {
    const arm = experimentArm(experiment, profileId);
    if (arm !== undefined) assigned.push({ experiment, arm });
  }
  return assigned.length === 0 ? undefined : assigned;
}

/** The key of the first experiment whose arm keeps `action` out, if any. */
export function excludingExperiment(assigned: Assigned, action: string): string | undefined {
  return assigned.find(({ experiment, arm }) => armExcludes(experiment, arm, action))?.experiment.key;
}

/** Experiment key → arm key, as decisions record them. */
export function armKeys(assigned: Assigned): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const { experiment, arm } of assigned) keys[experiment.key] = arm.key;
  return keys;
}
