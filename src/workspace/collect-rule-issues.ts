import { isJsonObject } from '../ingest/merge-objects.ts';
import { AGGREGATES } from '../profile/computed/computed-trait.ts';
import { parseDuration } from '../time/duration.ts';
import type { WorkspaceIssue } from './workspace-issue.ts';

/**
 * The checks a schema cannot express: trait keys are unique, windows are durations, and every
 * aggregate but `count` names the `property` it aggregates. Reads the document defensively, so
 * it can run beside `collectSchemaIssues` and a user sees every problem in one pass.
 */
export function collectRuleIssues(document: unknown): WorkspaceIssue[] {
  if (!isJsonObject(document) || !Array.isArray(document.computed_traits)) return [];
  const issues: WorkspaceIssue[] = [];
  const firstIndex = new Map<string, number>();
  document.computed_traits.forEach((trait: unknown, index) => {
    if (!isJsonObject(trait)) return;
    const { key, aggregate, window } = trait;
    if (typeof key === 'string') {
      const first = firstIndex.get(key);
      if (first === undefined) firstIndex.set(key, index);
      else {
        issues.push({
          path: ['computed_traits', index, 'key'],
          at: 'value',
          message: `the key \`${key}\` is already used by computed_traits[${first}]: each computed trait needs its own key`,
        });
      }
    }
    if (typeof window === 'string') {
      try {
        parseDuration(window);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        issues.push({ path: ['computed_traits', index, 'window'], at: 'value', message: reason });
      }
    }
    if (
      aggregate !== 'count' &&
      AGGREGATES.some((known) => known === aggregate) &&
      trait.property === undefined
    ) {
      issues.push({
        path: ['computed_traits', index, 'property'],
        at: 'value',
        message: `\`${aggregate}\` needs a \`property\`: the dotted path of the value to aggregate, like properties.revenue`,
      });
    }
  });
  return issues;
}
