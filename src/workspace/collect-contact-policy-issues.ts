import { isJsonObject } from '../ingest/merge-objects.ts';
import { didYouMean } from './did-you-mean.ts';
import { durationIssue } from './field-issues.ts';
import type { WorkspaceIssue } from './workspace-issue.ts';

/**
 * The contact policy: cap windows (`per`) that are durations, quiet hours that do not start and
 * end at the same time, and a `default_timezone` that is an IANA time zone (`Asia/Kolkata`), as
 * `Intl` knows them. The `HH:MM` format is the schema's to report; the rest is read defensively.
 */
export function collectContactPolicyIssues(policy: unknown): WorkspaceIssue[] {
  if (!isJsonObject(policy)) return [];
  const issues: WorkspaceIssue[] = [];
  if (Array.isArray(policy.caps)) {
    policy.caps.forEach((cap: unknown, index) => {
      if (isJsonObject(cap))
        durationIssue({ path: ['contact_policy', 'caps', index, 'per'], text: cap.per, issues });
    });
  }
  const quiet = policy.quiet_hours;
  if (!isJsonObject(quiet)) return issues;
  if (typeof quiet.start === 'string' && quiet.start === quiet.end) {
    issues.push({
      path: ['contact_policy', 'quiet_hours', 'end'],
      at: 'value',
      message: `quiet hours that start and end at ${quiet.start} hold no time: give the time sends start again, or remove \`quiet_hours\``,
    });
  }
  const zone = quiet.default_timezone;
  if (typeof zone === 'string' && zone !== '' && !isTimeZone(zone)) {
    const suggestion = didYouMean(zone, Intl.supportedValuesOf('timeZone'));
    const hint =
      suggestion === undefined
        ? 'use an IANA time zone name, like Asia/Kolkata, Europe/London or UTC'
        : `did you mean \`${suggestion}\`?`;
    issues.push({
      path: ['contact_policy', 'quiet_hours', 'default_timezone'],
      at: 'value',
      message: `\`${zone}\` is not a known time zone: ${hint}`,
    });
  }
  return issues;
}

/** Whether `Intl` knows `zone` (an IANA name like `Asia/Kolkata`, or `UTC`). */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
