import { isJsonObject } from '../ingest/merge-objects.ts';
import { didYouMean } from './did-you-mean.ts';
import { durationIssue } from './field-issues.ts';
import type { WorkspaceIssue } from './workspace-issue.ts';

/** The channels whose `audiences` name segments. */
const AUDIENCE_SECTIONS = ['meta_audiences', 'google_customer_match'] as const;

/**
 * The segments an ads channel mirrors (`channels.<channel>.audiences`) must be segments of the
 * workspace, so a typo does not leave an audience silently empty; its `reconcile_every` must be a
 * duration; a journey `audience` step must name one of their `lists`. Reads the document
 * defensively: types are the schema's business.
 */
export function collectAudienceIssues(document: Record<string, unknown>): WorkspaceIssue[] {
  const channels = isJsonObject(document.channels) ? document.channels : {};
  const segments = Array.isArray(document.segments)
    ? document.segments.flatMap((segment: unknown) =>
        isJsonObject(segment) && typeof segment.key === 'string' ? [segment.key] : [],
      )
    : [];
  const issues: WorkspaceIssue[] = [];
  for (const section of AUDIENCE_SECTIONS) {
    const channel = channels[section];
    if (isJsonObject(channel))
      durationIssue({
        path: ['channels', section, 'reconcile_every'],
        text: channel.reconcile_every,
        issues,
      });
    const audiences = isJsonObject(channel) ? channel.audiences : undefined;
    if (!isJsonObject(audiences)) continue;
    for (const key of Object.keys(audiences)) {
      if (segments.includes(key)) continue;
      const hint = didYouMean(key, segments);
      issues.push({
        path: ['channels', section, 'audiences', key],
        at: 'key',
        message: `no segment \`${key}\` in this workspace${hint === undefined ? '' : `: did you mean \`${hint}\`?`}`,
      });
    }
  }
  issues.push(...journeyDestinationIssues(document, channels));
  return issues;
}

/** A journey `audience` step must name a list of an audience channel's `lists`. */
function journeyDestinationIssues(
  document: Record<string, unknown>,
  channels: Record<string, unknown>,
): WorkspaceIssue[] {
  const lists = AUDIENCE_SECTIONS.flatMap((section) => {
    const channel = channels[section];
    return isJsonObject(channel) && isJsonObject(channel.lists) ? Object.keys(channel.lists) : [];
  });
  const issues: WorkspaceIssue[] = [];
  const journeys = Array.isArray(document.journeys) ? document.journeys : [];
  journeys.forEach((journey: unknown, j) => {
    const steps = isJsonObject(journey) && Array.isArray(journey.steps) ? journey.steps : [];
    steps.forEach((step: unknown, s) => {
      const audience = isJsonObject(step) ? step.audience : undefined;
      const destination = isJsonObject(audience) ? audience.destination : undefined;
      if (typeof destination !== 'string' || lists.includes(destination)) return;
      const hint = didYouMean(destination, lists);
      issues.push({
        path: ['journeys', j, 'steps', s, 'audience', 'destination'],
        at: 'value',
        message: `no list \`${destination}\` in channels.meta_audiences.lists or channels.google_customer_match.lists${hint === undefined ? '' : `: did you mean \`${hint}\`?`}`,
      });
    });
  });
  return issues;
}
