import { Value } from 'typebox/value';
import type { SegmentDef } from '../audience/audience-def.ts';
import { isJsonObject } from '../ingest/merge-objects.ts';
import { collectSchemaIssues } from './collect-schema-issues.ts';
import { collectSegmentIssues } from './collect-segment-issues.ts';
import type { WorkspaceDefinition } from './workspace.ts';
import type { WorkspaceIssue } from './workspace-issue.ts';
import { SegmentSchema } from './workspace-schema.ts';

/** A segment that passed every check of the workspace file, or the problems found, at paths inside it. */
export type SegmentCheck = { segment: SegmentDef; issues?: undefined } | { issues: WorkspaceIssue[] };

/**
 * Checks one segment (as written in the workspace file or sent to the admin API) against a
 * workspace definition it would join, replacing the segment of the same key: the schema of a
 * `segments` entry, then the file's segment rules (conditions that compile and read only the
 * profile, known traits, scores and segments, no cycles). Issue paths start at the segment
 * (`when.scores.intent.$gte`).
 */
export function checkSegment(definition: WorkspaceDefinition, body: unknown): SegmentCheck {
  const key = isJsonObject(body) ? body.key : undefined;
  const others = (definition.segments ?? []).filter((segment) => segment.key !== key);
  const issues = [...collectSchemaIssues(SegmentSchema, body), ...candidateIssues(definition, body, others)];
  if (issues.length > 0) return { issues };
  if (!Value.Check(SegmentSchema, body)) {
    return {
      issues: Value.Errors(SegmentSchema, body).map((e) => ({ path: [], at: 'value', message: e.message })),
    };
  }
  const segment: SegmentDef = { key: body.key, when: { ...body.when } };
  if (body.name !== undefined) segment.name = body.name;
  if (body.description !== undefined) segment.description = body.description;
  return { segment };
}

/**
 * Checks a draft condition as the `when` of a new segment (for a preview), without saving it.
 * Issue paths start at an object holding `when` (`when.traits.age.$gt`).
 */
export function conditionCheck(definition: WorkspaceDefinition, when: unknown): WorkspaceIssue[] {
  const keys = new Set((definition.segments ?? []).map((segment) => segment.key));
  let key = 'preview';
  for (let n = 1; keys.has(key); n += 1) key = `preview_${n}`;
  const check = checkSegment(definition, when === undefined ? { key } : { key, when });
  return check.issues ?? [];
}

/**
 * What breaks when the segment `key` is removed: the other segments that still test it, each
 * issue at `segments.<their key>.when…` with the workspace file's message.
 */
export function segmentRemovalIssues(definition: WorkspaceDefinition, key: string): WorkspaceIssue[] {
  const remaining = (definition.segments ?? []).filter((segment) => segment.key !== key);
  return collectSegmentIssues(ruleDocument(definition, remaining)).map((issue) => {
    const [section, index, ...rest] = issue.path;
    const owner = typeof index === 'number' ? remaining[index]?.key : undefined;
    return owner === undefined ? issue : { ...issue, path: [String(section), owner, ...rest] };
  });
}

/**
 * The segment rules for `body` placed first among `others` (so a cycle through it is reported at
 * its own `when`), with paths inside it; problems the others would have are not its own.
 */
function candidateIssues(
  definition: WorkspaceDefinition,
  body: unknown,
  others: SegmentDef[],
): WorkspaceIssue[] {
  return collectSegmentIssues(ruleDocument(definition, [body, ...others])).flatMap((issue) => {
    const [section, index, ...rest] = issue.path;
    return section === 'segments' && index === 0 ? [{ ...issue, path: rest }] : [];
  });
}

/** The part of a workspace document the segment rules read: trait and score keys, and the segments. */
function ruleDocument(definition: WorkspaceDefinition, segments: unknown[]): Record<string, unknown> {
  return {
    computed_traits: definition.computedTraits.map(({ key }) => ({ key })),
    scores: (definition.scores ?? []).map(({ key }) => ({ key })),
    segments,
  };
}
