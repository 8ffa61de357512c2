import type { ActionDef } from '../decide/decision-def.ts';
import type { JourneyDef, JourneyStepDef, JourneyTriggerDef, ReentryDef } from '../journey/journey-def.ts';
import { parseDuration } from '../time/duration.ts';
import type { WorkspaceFile } from './workspace-schema.ts';

type JourneyInput = NonNullable<WorkspaceFile['journeys']>[number];
type StepInput = JourneyInput['steps'][number];

/**
 * A journey of a validated workspace file as the engine runs it: durations in milliseconds,
 * `reentry` as `{ kind }` (default `once`), and each step's `type` taken from the field it uses.
 * Expects a document that passed `collectSchemaIssues` and `collectRuleIssues`, so each step
 * holds exactly one kind.
 */
export function toJourneyDef(journey: JourneyInput): JourneyDef {
  const def: JourneyDef = {
    key: journey.key,
    trigger: toTrigger(journey.trigger),
    reentry: toReentry(journey.reentry),
    steps: journey.steps.map((step) => toStep(journey.key, step)),
  };
  if (journey.name !== undefined) def.name = journey.name;
  if (journey.goal !== undefined) def.goal = { event: journey.goal.event };
  if (journey.max_active !== undefined && journey.max_active > 1) def.maxActive = journey.max_active;
  return def;
}

function toTrigger(trigger: JourneyInput['trigger']): JourneyTriggerDef {
  if (trigger.segment_entered !== undefined) return { segmentEntered: trigger.segment_entered };
  if (trigger.segment_exited !== undefined) return { segmentExited: trigger.segment_exited };
  if (trigger.decision !== undefined) return { decision: trigger.decision };
  return { event: trigger.event };
}

function toReentry(reentry: JourneyInput['reentry']): ReentryDef {
  if (reentry === undefined || reentry === 'once') return { kind: 'once' };
  if (reentry === 'always') return { kind: 'always' };
  return { kind: 'after', ms: parseDuration(reentry.after) };
}

/** The key of the action a journey's `send: { channel, content }` step is given: `<journey>__<step>`. */
export function inlineActionKey(journey: string, step: string): string {
  return `${journey}__${step}`;
}

/**
 * The actions the journeys' `send: { channel, content }` steps write: one per step, under
 * `inlineActionKey`, on that one channel, with no conditions, and `journeyOnly`, so only the
 * step sends it (channel choice, consent, the contact policy and quiet hours still apply).
 */
export function inlineSendActions(journeys: readonly JourneyInput[]): ActionDef[] {
  const actions: ActionDef[] = [];
  for (const journey of journeys) {
    for (const step of journey.steps) {
      if (step.send === undefined || typeof step.send === 'string') continue;
      actions.push({
        key: inlineActionKey(journey.key, step.key),
        channels: [step.send.channel],
        content: { [step.send.channel]: structuredClone(step.send.content) },
        value: 1,
        weight: 1,
        propensity: 1,
        contextWeights: [],
        journeyOnly: true,
      });
    }
  }
  return actions;
}

/** A step of the kind its one kind field says; a step with none (refused by the checks) exits. */
function toStep(journey: string, step: StepInput): JourneyStepDef {
  const { key } = step;
  if (step.decide !== undefined) return { key, type: 'decide' };
  if (step.wait !== undefined) return { key, type: 'wait', durationMs: parseDuration(step.wait) };
  if (step.wait_until !== undefined) return { key, type: 'wait_until', time: step.wait_until };
  if (step.wait_for !== undefined) {
    const { event, timeout, on_timeout: onTimeout } = step.wait_for;
    const def: JourneyStepDef = { key, type: 'wait_for', event, timeoutMs: parseDuration(timeout) };
    return onTimeout === undefined ? def : { ...def, onTimeout };
  }
  if (step.branch !== undefined) {
    const { when, then, else: otherwise } = step.branch;
    const def: JourneyStepDef = { key, type: 'branch', when: structuredClone(when), then };
    return otherwise === undefined ? def : { ...def, else: otherwise };
  }
  if (step.send !== undefined)
    return {
      key,
      type: 'send',
      action: typeof step.send === 'string' ? step.send : inlineActionKey(journey, key),
    };
  if (step.update !== undefined) return { key, type: 'update', traits: structuredClone(step.update.traits) };
  if (step.audience !== undefined)
    return { key, type: 'audience', destination: step.audience.destination, op: step.audience.action };
  return { key, type: 'exit' };
}
