import { SEGMENT_READABLE_ROOTS } from './collect-segment-issues.ts';
import { scopedConditionIssues } from './scoped-condition-issues.ts';
import type { FieldPathSegment, WorkspaceIssue } from './workspace-issue.ts';

/**
 * Problems of a journey branch's condition (see `scopedConditionIssues`): it reads only the
 * profile (the roots a segment reads: a branch is read when a run reaches it, with no event in
 * sight), without `$performed`, and tests only segments of the file.
 */
export function journeyConditionIssues(input: {
  at: FieldPathSegment[];
  condition: unknown;
  segmentKeys: readonly string[];
}): WorkspaceIssue[] {
  return scopedConditionIssues({
    ...input,
    readable: SEGMENT_READABLE_ROOTS,
    unreadable: (path, readable) =>
      `\`${path}\` is not part of the profile: a branch is read when a run reaches it, with no event in sight, so its condition may read only ${readable}`,
    noPerformed:
      "`$performed` is not available in a branch, which reads the profile rather than the person's events: count the events in a computed trait and test `computed.<key>`, or test a segment with `$inSegment`",
  });
}
