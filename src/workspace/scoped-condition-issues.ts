import { conditionReads } from '../conditions/compile-condition.ts';
import { isJsonObject } from '../ingest/merge-objects.ts';
import {
  conditionIssues,
  conditionKeyPath,
  pathRoot,
  readPosition,
  segmentReferencePosition,
} from './condition-issues.ts';
import { didYouMean } from './did-you-mean.ts';
import type { FieldPathSegment, WorkspaceIssue } from './workspace-issue.ts';

/** The string `key` of each entry of a section (`segments`, `actions`, …) that has one; empty when it is not a list. */
export function sectionKeys(section: unknown): string[] {
  if (!Array.isArray(section)) return [];
  return section.flatMap((entry: unknown) =>
    isJsonObject(entry) && typeof entry.key === 'string' ? [entry.key] : [],
  );
}

/** `$inSegment`/`$notInSegment` operands that are not a segment key of the file, at the operand. */
export function unknownSegmentIssues(input: {
  at: FieldPathSegment[];
  condition: Record<string, unknown>;
  referenced: readonly string[];
  segmentKeys: readonly string[];
}): WorkspaceIssue[] {
  const { at, condition, segmentKeys } = input;
  return input.referenced
    .filter((segment) => !segmentKeys.includes(segment))
    .map((segment) => ({
      path: [...at, ...(segmentReferencePosition(condition, segment) ?? [])],
      at: 'value' as const,
      message: unknownSegmentMessage(segment, segmentKeys),
    }));
}

/** Why a segment key is refused: it names no segment of the file, with a did-you-mean hint. */
export function unknownSegmentMessage(segment: string, segmentKeys: readonly string[]): string {
  const suggestion = didYouMean(segment, [...segmentKeys]);
  const hint =
    suggestion === undefined
      ? 'define it under `segments` or correct the key'
      : `did you mean \`${suggestion}\`?`;
  return `\`${segment}\` is not a segment of this file: ${hint}`;
}

/**
 * Problems of a condition read in one place of the workspace (a decision, a journey branch),
 * each at its path inside the condition (`at` is the condition's path): it must compile, read
 * only the `readable` top-level paths (`unreadable` says why another cannot be read), not use
 * `$performed` (`noPerformed` says why), and test only segments of the file. A value that is
 * not a mapping is the schema's to report.
 */
export function scopedConditionIssues(input: {
  at: FieldPathSegment[];
  condition: unknown;
  segmentKeys: readonly string[];
  readable: ReadonlySet<string>;
  unreadable: (path: string, readable: string) => string;
  noPerformed: string;
}): WorkspaceIssue[] {
  const { at, condition, readable } = input;
  if (!isJsonObject(condition)) return [];
  const invalid = conditionIssues(at, condition);
  if (invalid.length > 0) return invalid;
  const reads = conditionReads(condition);
  const list = [...readable].join(', ');
  const issues: WorkspaceIssue[] = reads.paths
    .filter((path) => !readable.has(pathRoot(path)))
    .map((path) => ({
      path: [...at, ...readPosition(condition, path)],
      at: 'key' as const,
      message: input.unreadable(path, list),
    }));
  if (reads.performed.length > 0 || reads.events.length > 0) {
    issues.push({
      path: [...at, ...(conditionKeyPath(condition, '$performed') ?? [])],
      at: 'key',
      message: input.noPerformed,
    });
  }
  issues.push(
    ...unknownSegmentIssues({ at, condition, referenced: reads.segments, segmentKeys: input.segmentKeys }),
  );
  return issues;
}
