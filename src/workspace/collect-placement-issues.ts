import { isJsonObject } from '../ingest/merge-objects.ts';
import { decisionConditionIssues } from './decision-condition-issues.ts';
import { duplicateKeyIssue, durationIssue } from './field-issues.ts';
import { templateIssues } from './template-issues.ts';
import type { FieldPathSegment, WorkspaceIssue } from './workspace-issue.ts';

/**
 * Placements: unique keys, variant keys unique within their placement, under `first_match` (the
 * default) `when` left out on the last variant only (a variant without it is shown to everyone,
 * so later ones could never be) or on a variant an experiment's arm shows (`experiments`, the
 * file's section: the others still show to the rest), under `strategy: learn` a goal for every variant (its own or
 * the placement's) and elsewhere no goal, predictors or propensity (nothing would read them),
 * goal windows that are durations, conditions as `decisionConditionIssues` wants them, and
 * content strings that are valid Liquid templates. `segmentKeys` are the segments of the file;
 * the rest is read defensively.
 */
export function collectPlacementIssues(
  placements: unknown,
  segmentKeys: readonly string[],
  experiments?: unknown,
): WorkspaceIssue[] {
  if (!Array.isArray(placements)) return [];
  const tested = testedVariants(experiments);
  const issues: WorkspaceIssue[] = [];
  const firstIndex = new Map<string, number>();
  placements.forEach((placement: unknown, index) => {
    if (!isJsonObject(placement)) return;
    const { key, variants } = placement;
    duplicateKeyIssue({ section: ['placements'], what: 'placement', key, index, firstIndex, issues });
    const learns = placement.strategy === 'learn';
    const at: FieldPathSegment[] = ['placements', index];
    if (isJsonObject(placement.goal))
      durationIssue({ path: [...at, 'goal', 'within'], text: placement.goal.within, issues });
    if (!learns)
      for (const field of ['goal', 'predictors'] as const) onlyWhenLearning(at, placement, field, issues);
    if (Array.isArray(variants))
      issues.push(
        ...variantIssues({
          section: [...at, 'variants'],
          variants,
          segmentKeys,
          learns,
          placementGoal: placement.goal !== undefined,
          tested: (variant) => tested.has(`${String(key)}/${variant}`),
        }),
      );
  });
  return issues;
}

/** `placement/variant` for each variant an arm of an experiment over a placement shows. */
function testedVariants(experiments: unknown): Set<string> {
  const tested = new Set<string>();
  if (!Array.isArray(experiments)) return tested;
  for (const experiment of experiments) {
    if (!isJsonObject(experiment) || typeof experiment.placement !== 'string') continue;
    if (!Array.isArray(experiment.arms)) continue;
    for (const arm of experiment.arms)
      if (isJsonObject(arm) && typeof arm.variant === 'string')
        tested.add(`${experiment.placement}/${arm.variant}`);
  }
  return tested;
}

/** An issue when `field` is set on a placement or variant that does not learn. */
function onlyWhenLearning(
  at: FieldPathSegment[],
  item: Record<string, unknown>,
  field: string,
  issues: WorkspaceIssue[],
): void {
  if (item[field] !== undefined)
    issues.push({
      path: [...at, field],
      at: 'key',
      message: `\`${field}\` is read only under \`strategy: learn\` (set it on the placement), or it does nothing`,
    });
}

function variantIssues(input: {
  section: FieldPathSegment[];
  variants: unknown[];
  segmentKeys: readonly string[];
  learns: boolean;
  placementGoal: boolean;
  /** Whether an experiment's arm shows this variant (then it is shown, whatever comes before). */
  tested: (variant: string) => boolean;
}): WorkspaceIssue[] {
  const { section, variants, segmentKeys, learns } = input;
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
    if (isJsonObject(variant.goal))
      durationIssue({ path: [...section, index, 'goal', 'within'], text: variant.goal.within, issues });
    if (!learns)
      for (const field of ['goal', 'propensity'] as const)
        onlyWhenLearning([...section, index], variant, field, issues);
    if (learns && variant.goal === undefined && !input.placementGoal)
      issues.push({
        path: [...section, index],
        at: 'value',
        message:
          'has no goal: under `strategy: learn` give the placement a `goal` (or this variant its own), the event that means it worked',
      });
    const shownToAll = variant.when === undefined && !input.tested(String(variant.key));
    if (!learns && shownToAll && index < variants.length - 1) {
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
