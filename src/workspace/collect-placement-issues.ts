import { isJsonObject } from '../ingest/merge-objects.ts';
import { decisionConditionIssues } from './decision-condition-issues.ts';
import { duplicateKeyIssue } from './field-issues.ts';
import { templateIssues } from './template-issues.ts';
import type { FieldPathSegment, WorkspaceIssue } from './workspace-issue.ts';

/**
 * Placements: unique keys, variant keys unique within their placement, `when` left out on the
 * last variant only (a variant without it is shown to everyone, so later ones could never be),
 * conditions as `decisionConditionIssues` wants them, and content strings that are valid Liquid
 * templates. `segmentKeys` are the segments of the file; the rest is read defensively.
 */
export function collectPlacementIssues(
  placements: unknown,
  segmentKeys: readonly string[],
): WorkspaceIssue[] {
  if (!Array.isArray(placements)) return [];
  const issues: WorkspaceIssue[] = [];
  const firstIndex = new Map<string, number>();
  placements.forEach((placement: unknown, index) => {
    if (!isJsonObject(placement)) return;
    const { key, variants } = placement;
    duplicateKeyIssue({ section: ['placements'], what: 'placement', key, index, firstIndex, issues });
    if (Array.isArray(variants))
      issues.push(...variantIssues(['placements', index, 'variants'], variants, segmentKeys));
  });
  return issues;
}

function variantIssues(
  section: FieldPathSegment[],
  variants: unknown[],
  segmentKeys: readonly string[],
): WorkspaceIssue[] {
  const issues: WorkspaceIssue[] = [];
  const firstIndex = new Map<string, number>();
  variants.forEach((variant: unknown, index) => {
    if (!isJsonObject(variant)) return;
    duplicateKeyIssue({
      section,
      what: 'variant of a placement',
      key: variant.key,
      index,
      firstIndex,
      issues,
    });
    if (variant.when === undefined && index < variants.length - 1) {
      const after = variants.length - 1 - index;
      issues.push({
        path: [...section, index],
        at: 'value',
        message: `only the last variant may leave out \`when\`: this variant is shown to everyone, so the ${after === 1 ? 'one' : after} after it could never be shown`,
      });
    }
    issues.push(
      ...decisionConditionIssues({ at: [...section, index, 'when'], condition: variant.when, segmentKeys }),
      ...templateIssues([...section, index, 'content'], variant.content),
    );
  });
  return issues;
}
