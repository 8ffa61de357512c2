import { isJsonObject } from '../ingest/merge-objects.ts';
import { didYouMean } from './did-you-mean.ts';
import { durationIssue } from './field-issues.ts';
import type { WorkspaceIssue } from './workspace-issue.ts';

/** The channels whose `audiences` name segments. */
const AUDIENCE_SECTIONS = ['meta_audiences', 'google_customer_match'] as const;

/**
 * The segments an ads channel mirrors (`channels.<channel>.audiences`) must be segments of the
 * workspace, so a typo does not leave an audience silently empty; its `reconcile_every` must be a
 * duration. Reads the document
 * defensively: types are the schema's business.
 */
export function collectAudienceIssues(document: Record<string, unknown>): WorkspaceIssue[] {
  const channels = document.channels;
  if (!isJsonObject(channels)) return [];
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
  return issues;
}
