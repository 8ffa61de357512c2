import type {
  ActionDef,
  ContactPolicyDef,
  DecisionsDef,
  DecisionTriggerDef,
  GoalDef,
  PlacementDef,
  VariantDef,
} from '../decide/decision-def.ts';
import { parseDuration } from '../time/duration.ts';
import { inlineSendActions } from './to-journey-def.ts';
import type { WorkspaceFile } from './workspace-schema.ts';

/** An action's `weight` when the file does not say. */
export const DEFAULT_ACTION_WEIGHT = 1;

/** An action's `propensity` when the file does not say. */
export const DEFAULT_ACTION_PROPENSITY = 1;

/** How many observations a learning action's declared propensity is worth, when the file does not say. */
export const DEFAULT_PRIOR_STRENGTH = 2;

/** The time zone of quiet hours for people whose own is not known, when the file does not say. */
export const DEFAULT_QUIET_HOURS_TIMEZONE = 'UTC';

type PlacementInput = NonNullable<WorkspaceFile['placements']>[number];
type VariantInput = PlacementInput['variants'][number];
type ActionInput = NonNullable<WorkspaceFile['actions']>[number];
type GoalInput = NonNullable<ActionInput['goal']>;
type ContactPolicyInput = NonNullable<WorkspaceFile['contact_policy']>;
type TriggerInput = NonNullable<WorkspaceFile['decision_triggers']>[number];

/**
 * The decisions sections of a validated workspace file (`placements`, `actions`,
 * `contact_policy`, `holdout`, `decision_triggers`, `learning`) as one `DecisionsDef`, with durations in
 * milliseconds and every default filled in (the holdout's salt is the workspace id), plus the
 * actions journeys write in their `send` steps; undefined when the file has none of these, so
 * definitions stored before them stay equal.
 */
export function toDecisionsDef(file: WorkspaceFile): DecisionsDef | undefined {
  const {
    placements,
    actions,
    contact_policy: policy,
    holdout,
    decision_triggers: triggers,
    learning,
    experiments,
  } = file;
  const inline = inlineSendActions(file.journeys ?? []);
  const none = [placements, actions, policy, holdout, triggers, learning, experiments].every(
    (section) => section === undefined,
  );
  if (none && inline.length === 0) return undefined;
  const def: DecisionsDef = {
    placements: (placements ?? []).map(toPlacement),
    actions: [...(actions ?? []).map(toAction), ...inline],
    contactPolicy: toContactPolicy(policy ?? {}),
    triggers: (triggers ?? []).map(toTrigger),
  };
  if (holdout !== undefined)
    def.holdout = { percent: holdout.percent, salt: holdout.salt ?? file.workspace.id };
  if (learning !== undefined)
    def.learning = {
      priorStrength: learning.prior_strength ?? DEFAULT_PRIOR_STRENGTH,
      explore: learning.explore ?? true,
      maxExploration: learning.max_exploration ?? 1,
    };
  if (experiments !== undefined)
    def.experiments = experiments.map((experiment) => ({
      key: experiment.key,
      ...(experiment.actions === undefined ? {} : { actions: [...experiment.actions] }),
      ...(experiment.placement === undefined ? {} : { placement: experiment.placement }),
      arms: experiment.arms.map((arm) => ({ ...arm })),
      goal: toGoal(experiment.goal),
      salt: experiment.salt ?? experiment.key,
    }));
  return def;
}

function toPlacement(placement: PlacementInput): PlacementDef {
  const def: PlacementDef = { key: placement.key, variants: placement.variants.map(toVariant) };
  if (placement.description !== undefined) def.description = placement.description;
  if (placement.format !== undefined) def.format = placement.format;
  if (placement.strategy !== undefined) def.strategy = placement.strategy;
  if (placement.goal !== undefined) def.goal = toGoal(placement.goal);
  if (placement.predictors !== undefined) def.predictors = [...placement.predictors];
  return def;
}

function toVariant(variant: VariantInput): VariantDef {
  const def: VariantDef = { key: variant.key, content: structuredClone(variant.content) };
  if (variant.when !== undefined) def.when = structuredClone(variant.when);
  if (variant.goal !== undefined) def.goal = toGoal(variant.goal);
  if (variant.propensity !== undefined) def.propensity = variant.propensity;
  return def;
}

/** A goal with its window in milliseconds. */
function toGoal(goal: GoalInput): GoalDef {
  const def: GoalDef = { event: goal.event, withinMs: parseDuration(goal.within) };
  if (goal.value !== undefined) def.value = goal.value;
  return def;
}

/** An action with its defaults filled in, content per channel in `channels` order, the cooldown in ms. */
function toAction(action: ActionInput): ActionDef {
  const content: ActionDef['content'] = {};
  for (const channel of action.channels) {
    const given = action.content[channel];
    if (given !== undefined) content[channel] = structuredClone(given);
  }
  const def: ActionDef = {
    key: action.key,
    channels: [...action.channels],
    content,
    value: action.value,
    weight: action.weight ?? DEFAULT_ACTION_WEIGHT,
    propensity: action.propensity ?? DEFAULT_ACTION_PROPENSITY,
    contextWeights: (action.context_weights ?? []).map((contextWeight) => ({
      when: structuredClone(contextWeight.when),
      weight: contextWeight.weight,
    })),
  };
  if (action.description !== undefined) def.description = action.description;
  if (action.eligibility !== undefined) def.eligibility = structuredClone(action.eligibility);
  if (action.applicability !== undefined) def.applicability = structuredClone(action.applicability);
  if (action.suitability !== undefined) def.suitability = structuredClone(action.suitability);
  if (action.cooldown !== undefined) def.cooldownMs = parseDuration(action.cooldown);
  if (action.goal !== undefined) def.goal = toGoal(action.goal);
  if (action.predictors !== undefined) def.predictors = [...action.predictors];
  return def;
}

function toContactPolicy(policy: ContactPolicyInput): ContactPolicyDef {
  const def: ContactPolicyDef = {
    caps: (policy.caps ?? []).map((cap) =>
      cap.channel === undefined
        ? { max: cap.max, perMs: parseDuration(cap.per) }
        : { channel: cap.channel, max: cap.max, perMs: parseDuration(cap.per) },
    ),
  };
  if (policy.suppress_after_ignored !== undefined) def.suppressAfterIgnored = policy.suppress_after_ignored;
  const quiet = policy.quiet_hours;
  if (quiet !== undefined) {
    def.quietHours = {
      start: quiet.start,
      end: quiet.end,
      defaultTimezone: quiet.default_timezone ?? DEFAULT_QUIET_HOURS_TIMEZONE,
    };
  }
  return def;
}

function toTrigger(trigger: TriggerInput): DecisionTriggerDef {
  return trigger.segment_entered === undefined
    ? { event: trigger.event }
    : { segmentEntered: trigger.segment_entered };
}
