import { isJsonObject } from '../ingest/merge-objects.ts';
import { didYouMean } from './did-you-mean.ts';
import { duplicateKeyIssue, durationIssue } from './field-issues.ts';
import { journeyConditionIssues } from './journey-condition-issues.ts';
import { journeyLoopIssues, type KindedStep } from './journey-loop-issues.ts';
import { JOURNEY_STEP_KINDS } from './journeys-schema.ts';
import { templateIssues } from './template-issues.ts';
import type { FieldPathSegment, WorkspaceIssue } from './workspace-issue.ts';

/** What a journey's steps may name elsewhere in the file. */
export interface JourneyReferences {
  segmentKeys: readonly string[];
  actionKeys: readonly string[];
}

/** The kinds written as `kind: true`, for which `false` means nothing. */
const FLAG_KINDS = ['decide', 'exit'] as const;

const KIND_LIST = JOURNEY_STEP_KINDS.map((kind) => `\`${kind}\``).join(', ');

/**
 * A journey's steps (`at` is the journey's path): unique keys, exactly one kind per step,
 * `decide: true` and `exit: true` only, waits and time-outs that are durations, `then`/`else`/
 * `on_timeout` naming a step of the journey, branch conditions as `journeyConditionIssues` wants
 * them, `send` naming an action of the file, `decide`/`send` only in a file with actions, and
 * (once every step has its kind) no loop without a wait. Read defensively; an empty or missing
 * list is the schema's to report.
 */
export function journeyStepIssues(
  at: FieldPathSegment[],
  steps: unknown,
  references: JourneyReferences,
): WorkspaceIssue[] {
  if (!Array.isArray(steps)) return [];
  const issues: WorkspaceIssue[] = [];
  const firstIndex = new Map<string, number>();
  const stepKeys = steps.flatMap((step: unknown) =>
    isJsonObject(step) && typeof step.key === 'string' ? [step.key] : [],
  );
  const kinded: KindedStep[] = [];
  steps.forEach((step: unknown, index) => {
    if (!isJsonObject(step)) return;
    const stepAt = [...at, 'steps', index];
    duplicateKeyIssue({
      section: [...at, 'steps'],
      what: 'step of a journey',
      key: step.key,
      index,
      firstIndex,
      issues,
    });
    const kinds = JOURNEY_STEP_KINDS.filter((kind) => step[kind] !== undefined);
    const [kind, second] = kinds;
    if (kind === undefined) {
      // A misspelt kind (`wiat`) is the schema's to report, with a suggestion.
      if (Object.keys(step).some((field) => field !== 'key' && !isKind(field))) return;
      issues.push({
        path: stepAt,
        at: 'value',
        message: `a step needs what it does: one of ${KIND_LIST}`,
      });
    } else if (second !== undefined) {
      issues.push({
        path: [...stepAt, second],
        at: 'key',
        message: `a step does one thing, and this one has \`${kind}\` and \`${second}\`: make them two steps`,
      });
    } else if (typeof step.key === 'string') {
      kinded.push({ key: step.key, kind, step });
    }
    issues.push(...kindIssues(stepAt, step, stepKeys, references));
  });
  if (kinded.length === steps.length) issues.push(...journeyLoopIssues(at, kinded));
  return issues;
}

function isKind(field: string): boolean {
  return JOURNEY_STEP_KINDS.some((kind) => kind === field);
}

/** The checks of each kind field a step holds (every one, so a step with two is checked whole). */
function kindIssues(
  at: FieldPathSegment[],
  step: Record<string, unknown>,
  stepKeys: readonly string[],
  references: JourneyReferences,
): WorkspaceIssue[] {
  const issues: WorkspaceIssue[] = [];
  for (const flag of FLAG_KINDS) {
    if (step[flag] !== false) continue;
    issues.push({
      path: [...at, flag],
      at: 'value',
      message: `\`${flag}\` takes only \`true\`: remove the step rather than turn it off`,
    });
  }
  durationIssue({ path: [...at, 'wait'], text: step.wait, issues });
  const { wait_for: waitFor, branch } = step;
  if (isJsonObject(waitFor)) {
    durationIssue({ path: [...at, 'wait_for', 'timeout'], text: waitFor.timeout, issues });
    issues.push(...stepReferenceIssues([...at, 'wait_for', 'on_timeout'], waitFor.on_timeout, stepKeys));
  }
  if (isJsonObject(branch)) {
    const { segmentKeys } = references;
    issues.push(
      ...journeyConditionIssues({ at: [...at, 'branch', 'when'], condition: branch.when, segmentKeys }),
    );
    issues.push(...stepReferenceIssues([...at, 'branch', 'then'], branch.then, stepKeys));
    issues.push(...stepReferenceIssues([...at, 'branch', 'else'], branch.else, stepKeys));
  }
  issues.push(...actionIssues(at, step, references.actionKeys));
  if (isJsonObject(step.send)) issues.push(...templateIssues([...at, 'send', 'content'], step.send.content));
  return issues;
}

/** A `then`/`else`/`on_timeout` that names no step of the journey. */
function stepReferenceIssues(
  at: FieldPathSegment[],
  target: unknown,
  stepKeys: readonly string[],
): WorkspaceIssue[] {
  if (typeof target !== 'string' || target === '' || stepKeys.includes(target)) return [];
  const suggestion = didYouMean(target, stepKeys);
  const hint =
    suggestion === undefined
      ? `use the key of one of its steps: ${stepKeys.map((key) => `\`${key}\``).join(', ')}`
      : `did you mean \`${suggestion}\`?`;
  return [{ path: at, at: 'value', message: `\`${target}\` is not a step of this journey: ${hint}` }];
}

/** A `decide` or `send` step in a file without actions, and a `send` naming no action of the file. */
function actionIssues(
  at: FieldPathSegment[],
  step: Record<string, unknown>,
  actionKeys: readonly string[],
): WorkspaceIssue[] {
  const { decide, send } = step;
  if (actionKeys.length === 0) {
    const issues: WorkspaceIssue[] = [];
    if (decide === true) {
      issues.push({
        path: [...at, 'decide'],
        at: 'value',
        message:
          'a `decide` step chooses among the actions of the file, and it has none: define them under `actions`',
      });
    }
    if (typeof send === 'string') {
      issues.push({
        path: [...at, 'send'],
        at: 'value',
        message: `a \`send\` step sends an action of the file, and it has none: define \`${send}\` under \`actions\``,
      });
    }
    return issues;
  }
  if (typeof send !== 'string' || actionKeys.includes(send)) return [];
  const suggestion = didYouMean(send, actionKeys);
  const hint =
    suggestion === undefined
      ? 'define it under `actions` or correct the key'
      : `did you mean \`${suggestion}\`?`;
  return [
    { path: [...at, 'send'], at: 'value', message: `\`${send}\` is not an action of this file: ${hint}` },
  ];
}
