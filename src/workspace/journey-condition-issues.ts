import { conditionReads } from '../conditions/compile-condition.ts';
import { isJsonObject } from '../ingest/merge-objects.ts';
import { SEGMENT_READABLE_ROOTS } from './collect-segment-issues.ts';
import {
  conditionIssues,
  conditionKeyPath,
  pathRoot,
  readPosition,
  segmentReferencePosition,
} from './condition-issues.ts';
import { didYouMean } from './did-you-mean.ts';
import type { FieldPathSegment, WorkspaceIssue } from './workspace-issue.ts';

/**
 * Problems of a journey branch's condition, each at its path inside the condition (`at` is the
 * condition's path): it must compile, read only the profile (the roots a segment reads: a branch
 * is read when a run reaches it, with no event in sight), not use `$performed`, and test only
 * segments of the file (`segmentKeys`). A value that is not a mapping is the schema's to report.
 */
export function journeyConditionIssues(input: {
  at: FieldPathSegment[];
  condition: unknown;
  segmentKeys: readonly string[];
}): WorkspaceIssue[] {
  const { at, condition, segmentKeys } = input;
  if (!isJsonObject(condition)) return [];
  const invalid = conditionIssues(at, condition);
  if (invalid.length > 0) return invalid;
  const reads = conditionReads(condition);
  const readable = [...SEGMENT_READABLE_ROOTS].join(', ');
  const issues: WorkspaceIssue[] = reads.paths
    .filter((path) => !SEGMENT_READABLE_ROOTS.has(pathRoot(path)))
    .map((path) => ({
      path: [...at, ...readPosition(condition, path)],
      at: 'key' as const,
      message: `\`${path}\` is not part of the profile: a branch is read when a run reaches it, with no event in sight, so its condition may read only ${readable}`,
    }));
  if (reads.performed.length > 0 || reads.events.length > 0) {
    issues.push({
      path: [...at, ...(conditionKeyPath(condition, '$performed') ?? [])],
      at: 'key',
      message:
        "`$performed` is not available in a branch, which reads the profile rather than the person's events: count the events in a computed trait and test `computed.<key>`, or test a segment with `$inSegment`",
    });
  }
  for (const segment of reads.segments.filter((key) => !segmentKeys.includes(key))) {
    const suggestion = didYouMean(segment, segmentKeys);
    const hint =
      suggestion === undefined
        ? 'define it under `segments` or correct the key'
        : `did you mean \`${suggestion}\`?`;
    issues.push({
      path: [...at, ...(segmentReferencePosition(condition, segment) ?? [])],
      at: 'value',
      message: `\`${segment}\` is not a segment of this file: ${hint}`,
    });
  }
  return issues;
}
