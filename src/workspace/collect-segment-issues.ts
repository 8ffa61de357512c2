import { conditionReads } from '../conditions/compile-condition.ts';
import { isJsonObject } from '../ingest/merge-objects.ts';
import {
  conditionIssues,
  findConditionKey,
  pathRoot,
  readPosition,
  segmentReferencePosition,
} from './condition-issues.ts';
import { didYouMean } from './did-you-mean.ts';
import { duplicateKeyIssue } from './field-issues.ts';
import { findSegmentCycles } from './find-segment-cycles.ts';
import { sectionKeys, unknownSegmentIssues } from './scoped-condition-issues.ts';
import type { FieldPathSegment, WorkspaceIssue } from './workspace-issue.ts';

/**
 * The top-level context paths a segment condition may read: the profile and the audience state
 * beside it. A segment is kept current on every event and when a window runs out, so there is no
 * one event to read: `event`, `properties` and `context` are not there (`$performed` is).
 */
export const SEGMENT_READABLE_ROOTS: ReadonlySet<string> = new Set([
  'traits',
  'computed',
  'scores',
  'risks',
  'lifecycle_stage',
  'segments',
  'identifiers',
  'consent',
  'first_seen',
  'last_seen',
]);

/** A segment whose condition compiled, with what it reads: the input of the cross-segment checks. */
interface ReadSegment {
  index: number;
  key: string;
  when: Record<string, unknown>;
  segments: string[];
}

/**
 * Segments: unique keys, conditions that compile and read only the profile (each problem at its
 * path inside `when`), `computed.<key>`/`scores.<key>` naming a computed trait/score of the file,
 * `$inSegment`/`$notInSegment` naming a segment of the file, and no segments depending on each
 * other in a cycle. `document` is the whole workspace document, read defensively.
 */
export function collectSegmentIssues(document: Record<string, unknown>): WorkspaceIssue[] {
  const { segments } = document;
  if (!Array.isArray(segments)) return [];
  const issues: WorkspaceIssue[] = [];
  const firstIndex = new Map<string, number>();
  const known = { computed: sectionKeys(document.computed_traits), scores: sectionKeys(document.scores) };
  const segmentKeys = sectionKeys(segments);
  const read: ReadSegment[] = [];
  segments.forEach((segment: unknown, index) => {
    if (!isJsonObject(segment)) return;
    const { key, when } = segment;
    duplicateKeyIssue({ section: ['segments'], what: 'segment', key, index, firstIndex, issues });
    if (!isJsonObject(when)) return;
    const at: FieldPathSegment[] = ['segments', index, 'when'];
    const invalid = conditionIssues(at, when);
    if (invalid.length > 0) {
      issues.push(...invalid);
      return;
    }
    const reads = conditionReads(when);
    issues.push(...unreadableIssues(at, when, reads.paths));
    issues.push(...unknownDefinitionIssues(at, when, reads.paths, known));
    issues.push(...unknownSegmentIssues({ at, condition: when, referenced: reads.segments, segmentKeys }));
    if (reads.performed.some((performed) => performed.window.kind === 'between'))
      issues.push(betweenIssue(at, when));
    if (typeof key === 'string') read.push({ index, key, when, segments: reads.segments });
  });
  issues.push(...cycleIssues(read));
  return issues;
}

/** Paths outside the profile (`event.*`, `properties.*`, …), each at the key that reads it. */
function unreadableIssues(
  at: FieldPathSegment[],
  when: Record<string, unknown>,
  paths: string[],
): WorkspaceIssue[] {
  const readable = [...SEGMENT_READABLE_ROOTS].join(', ');
  return paths
    .filter((path) => !SEGMENT_READABLE_ROOTS.has(pathRoot(path)))
    .map((path) => ({
      path: [...at, ...readPosition(when, path)],
      at: 'key',
      message: `\`${path}\` is not part of the profile: a segment is kept current on every event and when a window runs out, not read with one event, so its condition may read only ${readable}; test what a person did with \`$performed: { event: …, where: … }\``,
    }));
}

/** `computed.<key>` and `scores.<key>` paths that name no computed trait or score of the file. */
function unknownDefinitionIssues(
  at: FieldPathSegment[],
  when: Record<string, unknown>,
  paths: string[],
  known: { computed: string[]; scores: string[] },
): WorkspaceIssue[] {
  const issues: WorkspaceIssue[] = [];
  for (const path of paths) {
    const [root, name] = path.split('.');
    if (name === undefined || (root !== 'computed' && root !== 'scores')) continue;
    const keys = root === 'computed' ? known.computed : known.scores;
    if (keys.includes(name)) continue;
    const section = root === 'computed' ? 'computed_traits' : 'scores';
    const what = root === 'computed' ? 'computed trait' : 'score';
    const suggestion = didYouMean(name, keys);
    const hint =
      suggestion === undefined
        ? `define it under \`${section}\` or correct the name`
        : `did you mean \`${root}.${suggestion}\`?`;
    issues.push({
      path: [...at, ...readPosition(when, path)],
      at: 'key',
      message: `\`${path}\` names no ${what} of this file: ${hint}`,
    });
  }
  return issues;
}

/**
 * A `$performed` with `between`: a segment keeps its counts over a sliding `within` window or
 * all time, and a fixed or lagging range would need every event kept. Reported at the first one.
 */
function betweenIssue(at: FieldPathSegment[], when: Record<string, unknown>): WorkspaceIssue {
  const performed = findConditionKey(
    when,
    (key, value) => key === '$performed' && isJsonObject(value) && value.between !== undefined,
  );
  return {
    path: [...at, ...(performed ?? []), 'between'],
    at: 'key',
    message:
      '`between` is not supported in a segment, which counts over a sliding window: use `within: 7d` (the last 7 days) or no window (all time); `between` works where a condition is read once, like a decision',
  };
}

/** One issue per cycle of segments that test each other, at the first segment's test of the next. */
function cycleIssues(read: ReadSegment[]): WorkspaceIssue[] {
  const first = new Map<string, ReadSegment>();
  for (const segment of read) if (!first.has(segment.key)) first.set(segment.key, segment);
  const dependsOn = new Map<string, string[]>();
  for (const segment of read) {
    dependsOn.set(segment.key, [...(dependsOn.get(segment.key) ?? []), ...segment.segments]);
  }
  return findSegmentCycles(
    read.map((segment) => segment.key),
    dependsOn,
  ).flatMap((cycle) => {
    const [start, next] = cycle;
    const segment = start === undefined ? undefined : first.get(start);
    if (segment === undefined || next === undefined) return [];
    return [
      {
        path: ['segments', segment.index, 'when', ...(segmentReferencePosition(segment.when, next) ?? [])],
        at: 'value' as const,
        message: `segments depend on each other in a cycle: ${cycle.join(' → ')}; a segment cannot depend on itself, even through others`,
      },
    ];
  });
}
