import { isJsonObject } from '../ingest/merge-objects.ts';
import { decisionConditionIssues } from './decision-condition-issues.ts';
import { DECISION_CHANNELS } from './decisions-schema.ts';
import { duplicateKeyIssue, durationIssue } from './field-issues.ts';
import { templateIssues } from './template-issues.ts';
import type { FieldPathSegment, WorkspaceIssue } from './workspace-issue.ts';

/** The condition fields of an action, each of which must hold for the action to be chosen. */
const ACTION_CONDITIONS = ['eligibility', 'applicability', 'suitability'] as const;

/**
 * Actions: unique keys, channels listed once each, content given for every channel listed and
 * no other, content strings that are valid Liquid templates, a `weight` (and context weights)
 * above 0, a `cooldown` and a goal's `within` that are durations, and conditions as `decisionConditionIssues` wants
 * them. Unknown channel names are the schema's to report. `segmentKeys` are the segments of
 * the file; the rest is read defensively.
 */
export function collectActionIssues(actions: unknown, segmentKeys: readonly string[]): WorkspaceIssue[] {
  if (!Array.isArray(actions)) return [];
  const issues: WorkspaceIssue[] = [];
  const firstIndex = new Map<string, number>();
  actions.forEach((action: unknown, index) => {
    if (!isJsonObject(action)) return;
    const at: FieldPathSegment[] = ['actions', index];
    duplicateKeyIssue({ section: ['actions'], what: 'action', key: action.key, index, firstIndex, issues });
    issues.push(...channelIssues(at, action.channels, action.content));
    if (isJsonObject(action.content)) {
      for (const [channel, content] of Object.entries(action.content))
        issues.push(...templateIssues([...at, 'content', channel], content));
    }
    positiveWeightIssue([...at, 'weight'], action.weight, issues);
    durationIssue({ path: [...at, 'cooldown'], text: action.cooldown, issues });
    if (isJsonObject(action.goal))
      durationIssue({ path: [...at, 'goal', 'within'], text: action.goal.within, issues });
    for (const field of ACTION_CONDITIONS) {
      issues.push(...decisionConditionIssues({ at: [...at, field], condition: action[field], segmentKeys }));
    }
    if (!Array.isArray(action.context_weights)) return;
    action.context_weights.forEach((contextWeight: unknown, weightIndex) => {
      if (!isJsonObject(contextWeight)) return;
      const weightAt = [...at, 'context_weights', weightIndex];
      positiveWeightIssue([...weightAt, 'weight'], contextWeight.weight, issues);
      issues.push(
        ...decisionConditionIssues({ at: [...weightAt, 'when'], condition: contextWeight.when, segmentKeys }),
      );
    });
  });
  return issues;
}

/**
 * A channel listed twice, a channel without content, content for a channel not listed. Names
 * that are not channels at all are left to the schema, which suggests the closest one.
 */
function channelIssues(at: FieldPathSegment[], channels: unknown, content: unknown): WorkspaceIssue[] {
  if (!Array.isArray(channels)) return [];
  const issues: WorkspaceIssue[] = [];
  const listed: string[] = [];
  channels.forEach((channel: unknown, index) => {
    if (!isKnownChannel(channel)) return;
    if (listed.includes(channel)) {
      issues.push({
        path: [...at, 'channels', index],
        at: 'value',
        message: `\`${channel}\` is already listed in \`channels\`: list each channel once`,
      });
    } else {
      listed.push(channel);
    }
  });
  if (!isJsonObject(content)) return issues;
  for (const channel of listed.filter((name) => !Object.hasOwn(content, name))) {
    issues.push({
      path: [...at, 'content'],
      at: 'value',
      message: `no content for \`${channel}\`: \`content\` needs an entry for each channel in \`channels\``,
    });
  }
  const unlisted = Object.keys(content).filter((name) => isKnownChannel(name) && !listed.includes(name));
  for (const channel of unlisted) {
    issues.push({
      path: [...at, 'content', channel],
      at: 'key',
      message: `\`${channel}\` is not in this action's \`channels\`: add it there, or remove this content`,
    });
  }
  return issues;
}

/** A weight (a multiplier of the priority) that is 0 or below; absent and non-numbers are the schema's. */
function positiveWeightIssue(path: FieldPathSegment[], weight: unknown, issues: WorkspaceIssue[]): void {
  if (typeof weight !== 'number' || weight > 0) return;
  issues.push({
    path,
    at: 'value',
    message: `a weight must be greater than 0, not ${weight}: it multiplies the priority; to rule the action out, use \`eligibility\` or \`suitability\``,
  });
}

function isKnownChannel(name: unknown): name is string {
  return DECISION_CHANNELS.some((channel) => channel === name);
}
