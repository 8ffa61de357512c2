import type { SegmentDef } from '../audience/audience-def.ts';
import type { ErrorDetail } from '../errors.ts';
import { isJsonObject } from '../ingest/merge-objects.ts';
import type { ProfileState } from '../profile/profile.ts';
import type { WorkspaceDefinition } from '../workspace/workspace.ts';
import { formatFieldPath, type WorkspaceIssue } from '../workspace/workspace-issue.ts';

/** A segment as the admin API shows it (snake_case, absent texts as null). */
export interface SegmentView {
  key: string;
  name: string | null;
  description: string | null;
  when: unknown;
  size: number;
}

/** A segment definition with its size, as the admin API shows it. */
export function segmentView(segment: SegmentDef, size: number): SegmentView {
  return {
    key: segment.key,
    name: segment.name ?? null,
    description: segment.description ?? null,
    when: segment.when,
    size,
  };
}

/** The segments a profile is in, in definition order (any the definition lacks last), with when it entered each. */
export function profileSegments(
  profile: ProfileState,
  definition: WorkspaceDefinition,
): { profile_id: string; segments: { key: string; entered_at: string }[] } {
  const order = (definition.segments ?? []).map((segment) => segment.key);
  const rank = (key: string): number => (order.includes(key) ? order.indexOf(key) : order.length);
  const segments = Object.entries(profile.audience?.segments ?? {})
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([key, at]) => ({ key, entered_at: iso(at) }));
  return { profile_id: profile.id, segments };
}

/** The definition with `segment` in place of the segment of the same key, or appended when there is none. */
export function withSegment(definition: WorkspaceDefinition, segment: SegmentDef): WorkspaceDefinition {
  const segments = definition.segments ?? [];
  const index = segments.findIndex((candidate) => candidate.key === segment.key);
  return {
    ...definition,
    segments: index < 0 ? [...segments, segment] : segments.map((old, i) => (i === index ? segment : old)),
  };
}

/** The definition without the segment `key`. */
export function withoutSegment(definition: WorkspaceDefinition, key: string): WorkspaceDefinition {
  return { ...definition, segments: (definition.segments ?? []).filter((segment) => segment.key !== key) };
}

/** Workspace issues as error details, each at its field path (`when.scores.intent.$gte`). */
export function issueDetails(issues: WorkspaceIssue[]): ErrorDetail[] {
  return issues.map((issue) => ({ path: formatFieldPath(issue.path), message: issue.message }));
}

/** Whether the query asks to answer once the back-fill is done (`?wait=true`). */
export function waitRequested(query: unknown): boolean {
  return isJsonObject(query) && (query.wait === true || query.wait === 'true');
}

/** An epoch-ms time as ISO-8601. */
export function iso(at: number): string {
  return new Date(at).toISOString();
}
