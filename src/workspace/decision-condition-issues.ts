import { SEGMENT_READABLE_ROOTS } from './collect-segment-issues.ts';
import { scopedConditionIssues } from './scoped-condition-issues.ts';
import type { FieldPathSegment, WorkspaceIssue } from './workspace-issue.ts';

/**
 * The top-level context paths a placement's or an action's condition may read: the request
 * (`context`, like `context.location.city`), the in-app inbox and the profile. A decision is
 * made for a person and a request, not on one event, so `event` and `properties` are not there.
 */
export const DECISION_READABLE_ROOTS: ReadonlySet<string> = new Set([
  'context',
  'inbox',
  ...SEGMENT_READABLE_ROOTS,
]);

/**
 * Problems of a placement's or an action's condition (see `scopedConditionIssues`): it reads
 * only the request and the profile, without `$performed`, and tests only segments of the file.
 */
export function decisionConditionIssues(input: {
  at: FieldPathSegment[];
  condition: unknown;
  segmentKeys: readonly string[];
}): WorkspaceIssue[] {
  return scopedConditionIssues({
    ...input,
    readable: DECISION_READABLE_ROOTS,
    unreadable: (path, readable) =>
      `\`${path}\` cannot be read here: a decision is made for a person and a request, not on one event, so its conditions may read only ${readable}`,
    noPerformed:
      "`$performed` is not available in a decision, which reads the profile's counts rather than its events: count the events in a computed trait and test `computed.<key>`, or test a segment with `$inSegment`",
  });
}
