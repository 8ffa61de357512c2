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
 * The top-level context paths a placement's or an action's condition may read: the request
 * (`context`, like `context.location.city`) and the profile. A decision is made for a person and
 * a request, not on one event, so `event` and `properties` are not there.
 */
export const DECISION_READABLE_ROOTS: ReadonlySet<string> = new Set([
  'context',
  'inbox',
  ...SEGMENT_READABLE_ROOTS,
]);

/**
 * Problems of a placement's or an action's condition, each at its path inside the condition
 * (`at` is the condition's path): it must compile, read only the request and the profile, not use
 * `$performed`, and test only segments of the file (`segmentKeys`). A value that is not a mapping
 * is the schema's to report.
 */
export function decisionConditionIssues(input: {
  at: FieldPathSegment[];
  condition: unknown;
  segmentKeys: readonly string[];
}): WorkspaceIssue[] {
  const { at, condition, segmentKeys } = input;
  if (!isJsonObject(condition)) return [];
  const invalid = conditionIssues(at, condition);
  if (invalid.length > 0) return invalid;
  const reads = conditionReads(condition);
  const readable = [...DECISION_READABLE_ROOTS].join(', ');
  const issues: WorkspaceIssue[] = reads.paths
    .filter((path) => !DECISION_READABLE_ROOTS.has(pathRoot(path)))
    .map((path) => ({
      path: [...at, ...readPosition(condition, path)],
      at: 'key' as const,
      message: `\`${path}\` cannot be read here: a decision is made for a person and a request, not on one event, so its conditions may read only ${readable}`,
    }));
  if (reads.performed.length > 0 || reads.events.length > 0) {
    issues.push({
      path: [...at, ...(conditionKeyPath(condition, '$performed') ?? [])],
      at: 'key',
      message:
        "`$performed` is not available in a decision, which reads the profile's counts rather than its events: count the events in a computed trait and test `computed.<key>`, or test a segment with `$inSegment`",
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

/** The string `key` of each entry of a section (`segments`, `actions`, …) that has one; empty when it is not a list. */
export function sectionKeys(section: unknown): string[] {
  if (!Array.isArray(section)) return [];
  return section.flatMap((entry: unknown) =>
    isJsonObject(entry) && typeof entry.key === 'string' ? [entry.key] : [],
  );
}
