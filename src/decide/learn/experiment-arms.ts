import { compilePath } from '../../conditions/path-getter.ts';
import type { ErrorDetail } from '../../errors.ts';
import type { ExperimentDef } from '../decision-def.ts';
import { holdoutBucket } from '../holdout.ts';

/** An arm ready for assignment: people whose bucket is below `upTo` (and above the previous arm's) fall in it. */
export interface CompiledArm {
  readonly key: string;
  /** The one member of the set (an action, or a variant of the placement) it may get; undefined for the control. */
  readonly member: string | undefined;
  readonly upTo: number;
}

/** An experiment compiled once with its definition. */
export interface CompiledExperiment {
  readonly key: string;
  readonly def: ExperimentDef;
  /** The placement whose variants it tests; undefined for an experiment over actions. */
  readonly placement: string | undefined;
  /** The set the arms choose from: action keys, or the placement's variant keys. */
  readonly members: ReadonlySet<string>;
  readonly arms: readonly CompiledArm[];
  /** The control arm's key. */
  readonly control: string;
  /** Reads the goal's value from a goal event; undefined without `goal.value`. */
  readonly goalValue: ((event: Record<string, unknown>) => unknown) | undefined;
}

/**
 * Checks and compiles an experiment against the workspace's action keys and placements: it
 * names an action set or a placement (not both); its actions exist and are listed once; each
 * arm's action is one of them (over a placement, each arm's variant is one of the placement's,
 * and the set is the arms' variants); arm keys are unique, percents add up to at most 100 and
 * exactly one arm is a control (no `action` or `variant`). Problems go to `issues` under `path`.
 */
export function compileExperiment(input: {
  def: ExperimentDef;
  actionKeys: ReadonlySet<string>;
  /** Variant keys by placement key. */
  placements: ReadonlyMap<string, ReadonlySet<string>>;
  path: string;
  issues: ErrorDetail[];
}): CompiledExperiment {
  const { def, path, issues } = input;
  if (def.key === 'holdout')
    issues.push({ path: `${path}.key`, message: '`holdout` names the holdout report: choose another key' });
  const overPlacement = def.placement !== undefined;
  if (overPlacement === (def.actions !== undefined))
    issues.push({
      path,
      message: 'names either `actions` (an action set) or `placement` (its variants), and not both',
    });
  const members = new Set<string>();
  (def.actions ?? []).forEach((key, index) => {
    if (!input.actionKeys.has(key))
      issues.push({ path: `${path}.actions[${index}]`, message: `names no action: \`${key}\`` });
    if (members.has(key)) issues.push({ path: `${path}.actions[${index}]`, message: `repeats \`${key}\`` });
    members.add(key);
  });
  const variants = def.placement === undefined ? undefined : input.placements.get(def.placement);
  if (def.placement !== undefined && variants === undefined)
    issues.push({ path: `${path}.placement`, message: `names no placement: \`${def.placement}\`` });
  const keys = new Set<string>();
  let upTo = 0;
  const arms = def.arms.map((arm, index): CompiledArm => {
    const at = `${path}.arms[${index}]`;
    if (keys.has(arm.key)) issues.push({ path: `${at}.key`, message: `repeats the arm key \`${arm.key}\`` });
    keys.add(arm.key);
    if (overPlacement && arm.action !== undefined)
      issues.push({ path: `${at}.action`, message: 'an experiment over a placement gives arms a `variant`' });
    if (!overPlacement && arm.variant !== undefined)
      issues.push({ path: `${at}.variant`, message: 'an experiment over actions gives arms an `action`' });
    if (!overPlacement && arm.action !== undefined && !members.has(arm.action))
      issues.push({
        path: `${at}.action`,
        message: `\`${arm.action}\` is not in this experiment's \`actions\``,
      });
    if (overPlacement && arm.variant !== undefined) {
      if (variants !== undefined && !variants.has(arm.variant))
        issues.push({
          path: `${at}.variant`,
          message: `\`${def.placement}\` has no variant \`${arm.variant}\``,
        });
      if (members.has(arm.variant))
        issues.push({ path: `${at}.variant`, message: `another arm has \`${arm.variant}\` already` });
      members.add(arm.variant);
    }
    upTo += arm.percent;
    return { key: arm.key, member: overPlacement ? arm.variant : arm.action, upTo };
  });
  if (upTo > 100)
    issues.push({ path: `${path}.arms`, message: `the arms' percents add up to ${upTo}: at most 100` });
  const controls = arms.filter((arm) => arm.member === undefined);
  if (controls.length !== 1)
    issues.push({
      path: `${path}.arms`,
      message: `needs exactly one control arm (an arm without \`${overPlacement ? 'variant' : 'action'}\`), not ${controls.length}`,
    });
  const value = def.goal.value;
  return {
    key: def.key,
    def,
    placement: def.placement,
    members,
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

/**
 * Whether an arm keeps `member` (an action, or a variant of the experiment's placement) from
 * being chosen: it is in the set and not the arm's own.
 */
export function armExcludes(experiment: CompiledExperiment, arm: CompiledArm, member: string): boolean {
  return experiment.members.has(member) && arm.member !== member;
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

/** The key of the first experiment whose arm keeps `member` out, if any. */
export function excludingExperiment(assigned: Assigned, member: string): string | undefined {
  return assigned.find(({ experiment, arm }) => armExcludes(experiment, arm, member))?.experiment.key;
}

/** Experiment key → arm key, as decisions record them. */
export function armKeys(assigned: Assigned): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const { experiment, arm } of assigned) keys[experiment.key] = arm.key;
  return keys;
}
