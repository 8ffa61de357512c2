import { isJsonObject } from '../ingest/merge-objects.ts';
import { didYouMean } from './did-you-mean.ts';
import { duplicateKeyIssue, durationIssue } from './field-issues.ts';
import { journeyStepIssues } from './journey-step-issues.ts';
import { sectionKeys, unknownSegmentMessage } from './scoped-condition-issues.ts';
import { inlineActionKey } from './to-journey-def.ts';
import type { FieldPathSegment, WorkspaceIssue } from './workspace-issue.ts';

/** The fields of a journey's `trigger`, exactly one of which it holds. */
const TRIGGER_FIELDS = ['event', 'segment_entered', 'segment_exited', 'decision'] as const;

/**
 * Journeys: unique keys, a trigger with exactly one of `event`, `segment_entered`,
 * `segment_exited` (a segment naming a segment of the file) and `decision` (naming an action of
 * the file), `max_active` only where a person may enter again, a `reentry.after` that is a
 * duration, and steps as `journeyStepIssues` wants them. `document` is the whole workspace
 * document, read defensively: journeys name its segments and actions.
 */
export function collectJourneyIssues(document: Record<string, unknown>): WorkspaceIssue[] {
  const { journeys } = document;
  if (!Array.isArray(journeys)) return [];
  const references = {
    segmentKeys: sectionKeys(document.segments),
    actionKeys: sectionKeys(document.actions),
  };
  const issues: WorkspaceIssue[] = [];
  const firstIndex = new Map<string, number>();
  journeys.forEach((journey: unknown, index) => {
    if (!isJsonObject(journey)) return;
    const at: FieldPathSegment[] = ['journeys', index];
    duplicateKeyIssue({
      section: ['journeys'],
      what: 'journey',
      key: journey.key,
      index,
      firstIndex,
      issues,
    });
    issues.push(...triggerIssues([...at, 'trigger'], journey.trigger, references));
    if (isJsonObject(journey.reentry))
      durationIssue({ path: [...at, 'reentry', 'after'], text: journey.reentry.after, issues });
    const once = journey.reentry === undefined || journey.reentry === 'once';
    if (typeof journey.max_active === 'number' && journey.max_active > 1 && once)
      issues.push({
        path: [...at, 'max_active'],
        at: 'value',
        message:
          'a person enters this journey once (`reentry` is `once`, the default), so they never have two runs: set `reentry: always` or `{ after: <duration> }`, or drop `max_active`',
      });
    issues.push(...journeyStepIssues(at, journey.steps, references));
    issues.push(...inlineKeyIssues(at, journey, references.actionKeys));
  });
  return issues;
}

/** A `send: { channel, content }` step whose action key (`<journey>__<step>`) an action of the file already has. */
function inlineKeyIssues(
  at: FieldPathSegment[],
  journey: Record<string, unknown>,
  actionKeys: readonly string[],
): WorkspaceIssue[] {
  if (!Array.isArray(journey.steps) || typeof journey.key !== 'string') return [];
  const issues: WorkspaceIssue[] = [];
  journey.steps.forEach((step: unknown, index) => {
    if (!isJsonObject(step) || !isJsonObject(step.send) || typeof step.key !== 'string') return;
    const key = inlineActionKey(journey.key as string, step.key);
    if (!actionKeys.includes(key)) return;
    issues.push({
      path: [...at, 'steps', index, 'send'],
      at: 'key',
      message: `this step's message is kept as the action \`${key}\`, and the file already has an action with that key: rename one of them`,
    });
  });
  return issues;
}

/** A trigger with none or more than one of its fields, and segments or actions the file does not define. */
function triggerIssues(
  at: FieldPathSegment[],
  trigger: unknown,
  references: { segmentKeys: readonly string[]; actionKeys: readonly string[] },
): WorkspaceIssue[] {
  const { segmentKeys, actionKeys } = references;
  if (!isJsonObject(trigger)) return [];
  const issues: WorkspaceIssue[] = [];
  const given = TRIGGER_FIELDS.filter((field) => trigger[field] !== undefined);
  const [first, second] = given;
  if (first === undefined) {
    issues.push({
      path: at,
      at: 'value',
      message:
        'a trigger needs `event` (a track event name, like Checkout Abandoned), `segment_entered` or `segment_exited` (a segment key), or `decision` (an action key)',
    });
  } else if (second !== undefined) {
    issues.push({
      path: [...at, second],
      at: 'key',
      message: `a journey has one trigger, and this one has \`${first}\` and \`${second}\`: keep one, or make two journeys`,
    });
  }
  for (const field of ['segment_entered', 'segment_exited'] as const) {
    const segment = trigger[field];
    if (typeof segment !== 'string' || segmentKeys.includes(segment)) continue;
    issues.push({ path: [...at, field], at: 'value', message: unknownSegmentMessage(segment, segmentKeys) });
  }
  const { decision } = trigger;
  if (typeof decision === 'string' && !actionKeys.includes(decision)) {
    const suggestion = didYouMean(decision, actionKeys);
    const hint =
      suggestion === undefined
        ? 'define it under `actions` or correct the key'
        : `did you mean \`${suggestion}\`?`;
    issues.push({
      path: [...at, 'decision'],
      at: 'value',
      message: `\`${decision}\` is not an action of this file: ${hint}`,
    });
  }
  return issues;
}
