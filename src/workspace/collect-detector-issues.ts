import { conditionReads } from '../conditions/compile-condition.ts';
import { isJsonObject } from '../ingest/merge-objects.ts';
import { conditionIssues, conditionKeyPath, pathRoot, readPosition } from './condition-issues.ts';
import { duplicateKeyIssue, durationIssue } from './field-issues.ts';
import type { FieldPathSegment, WorkspaceIssue } from './workspace-issue.ts';

/**
 * The top-level context paths a detector's `where` may read: the starting event and the profile.
 * It is tested as the event arrives, before segments and the lifecycle stage are brought up to
 * date, so `segments` and `lifecycle_stage` are not there.
 */
export const DETECTOR_READABLE_ROOTS: ReadonlySet<string> = new Set([
  'event',
  'properties',
  'context',
  'traits',
  'computed',
  'scores',
  'risks',
  'identifiers',
  'consent',
  'first_seen',
  'last_seen',
]);

/**
 * Detectors: unique keys, a wait (`within`) that is a duration, and a `where` that compiles
 * (each problem at its path inside it), reads only the event and the profile, and does not use
 * `$performed`. Empty names in `after`, `unless` and `emit` are the schema's to report.
 */
export function collectDetectorIssues(detectors: unknown): WorkspaceIssue[] {
  if (!Array.isArray(detectors)) return [];
  const issues: WorkspaceIssue[] = [];
  const firstIndex = new Map<string, number>();
  detectors.forEach((detector: unknown, index) => {
    if (!isJsonObject(detector)) return;
    duplicateKeyIssue({
      section: ['detectors'],
      what: 'detector',
      key: detector.key,
      index,
      firstIndex,
      issues,
    });
    durationIssue({ path: ['detectors', index, 'within'], text: detector.within, issues });
    if (!isJsonObject(detector.where)) return;
    const at: FieldPathSegment[] = ['detectors', index, 'where'];
    const invalid = conditionIssues(at, detector.where);
    issues.push(...(invalid.length > 0 ? invalid : unreadableIssues(at, detector.where)));
  });
  return issues;
}

/** Paths a detector's `where` cannot read, and `$performed`; each at the key that reads it. */
function unreadableIssues(at: FieldPathSegment[], where: Record<string, unknown>): WorkspaceIssue[] {
  const reads = conditionReads(where);
  const readable = [...DETECTOR_READABLE_ROOTS].join(', ');
  const issues: WorkspaceIssue[] = reads.paths
    .filter((path) => !DETECTOR_READABLE_ROOTS.has(pathRoot(path)))
    .map((path) => {
      const position = readPosition(where, path);
      const root = pathRoot(path);
      const written = root === 'segments' ? String(position.at(-1) ?? path) : path;
      const reason =
        root === 'segments' || root === 'lifecycle_stage'
          ? 'a detector tests its `where` as the event arrives, before segments and the lifecycle stage are brought up to date'
          : 'it is neither the event nor the profile';
      return {
        path: [...at, ...position],
        at: 'key' as const,
        message: `\`${written}\` cannot be read here: ${reason}; a detector's \`where\` may read only ${readable}`,
      };
    });
  if (reads.events.length > 0) {
    issues.push({
      path: [...at, ...(conditionKeyPath(where, '$performed') ?? [])],
      at: 'key',
      message:
        "`$performed` is not available in a detector's `where`, which is tested on the starting event: count the events in a computed trait and test `computed.<key>`",
    });
  }
  return issues;
}
