import { validateCondition } from '../conditions/compile-condition.ts';
import { isJsonObject } from '../ingest/merge-objects.ts';
import { AGGREGATES } from '../profile/computed/computed-trait.ts';
import { parseDuration } from '../time/duration.ts';
import type { FieldPathSegment, WorkspaceIssue } from './workspace-issue.ts';

/**
 * The checks a schema cannot express: trait and score keys are unique, windows and half-lives
 * are durations, every aggregate but `count` names the `property` it aggregates, and score
 * conditions compile (each problem at its path inside `where`). Reads the document defensively, so
 * it can run beside `collectSchemaIssues` and a user sees every problem in one pass.
 */
export function collectRuleIssues(document: unknown): WorkspaceIssue[] {
  if (!isJsonObject(document)) return [];
  return [...traitIssues(document.computed_traits), ...scoreIssues(document.scores)];
}

function traitIssues(traits: unknown): WorkspaceIssue[] {
  if (!Array.isArray(traits)) return [];
  const issues: WorkspaceIssue[] = [];
  const firstIndex = new Map<string, number>();
  traits.forEach((trait: unknown, index) => {
    if (!isJsonObject(trait)) return;
    const { key, aggregate, window } = trait;
    duplicateKeyIssue({ section: 'computed_traits', what: 'computed trait', key, index, firstIndex, issues });
    durationIssue({ path: ['computed_traits', index, 'window'], text: window, issues });
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

/** Scores: unique keys, a half-life that is a duration, `min` not above `max`, and valid `where` conditions. */
function scoreIssues(scores: unknown): WorkspaceIssue[] {
  if (!Array.isArray(scores)) return [];
  const issues: WorkspaceIssue[] = [];
  const firstIndex = new Map<string, number>();
  scores.forEach((score: unknown, index) => {
    if (!isJsonObject(score)) return;
    const { key, min, max, rules } = score;
    duplicateKeyIssue({ section: 'scores', what: 'score', key, index, firstIndex, issues });
    durationIssue({ path: ['scores', index, 'half_life'], text: score.half_life, issues });
    if (typeof min === 'number' && typeof max === 'number' && min > max) {
      issues.push({
        path: ['scores', index, 'max'],
        at: 'value',
        message: `\`max\` (${max}) is below \`min\` (${min}): no value could be read`,
      });
    }
    if (!Array.isArray(rules)) return;
    rules.forEach((rule: unknown, ruleIndex) => {
      if (!isJsonObject(rule) || !isJsonObject(rule.where)) return;
      const at: FieldPathSegment[] = ['scores', index, 'rules', ruleIndex, 'where'];
      for (const problem of validateCondition(rule.where)) {
        const where = problem.path === '' ? 'the condition' : `\`${problem.path}\``;
        issues.push({
          path: [...at, ...conditionFieldPath(rule.where, problem.path)],
          at: 'value',
          message: `${where} ${problem.message}`,
        });
      }
    });
  });
  return issues;
}

/** Reports a key already used earlier in the same section; remembers the first use of each key. */
function duplicateKeyIssue(input: {
  section: string;
  what: string;
  key: unknown;
  index: number;
  firstIndex: Map<string, number>;
  issues: WorkspaceIssue[];
}): void {
  const { section, what, key, index, firstIndex } = input;
  if (typeof key !== 'string') return;
  const first = firstIndex.get(key);
  if (first === undefined) {
    firstIndex.set(key, index);
    return;
  }
  input.issues.push({
    path: [section, index, 'key'],
    at: 'value',
    message: `the key \`${key}\` is already used by ${section}[${first}]: each ${what} needs its own key`,
  });
}

/** Reports a duration field (`7d`) that does not parse; absent and non-string values are the schema's business. */
function durationIssue(input: { path: FieldPathSegment[]; text: unknown; issues: WorkspaceIssue[] }): void {
  if (typeof input.text !== 'string') return;
  try {
    parseDuration(input.text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    input.issues.push({ path: input.path, at: 'value', message: reason });
  }
}

/**
 * Turns a condition's JSON path (`$and[1].properties.path.$regex`) into document steps by
 * walking the condition itself, since its keys may hold dots (`properties.path` is one key).
 * Stops at the deepest step the condition holds.
 */
function conditionFieldPath(condition: unknown, path: string): FieldPathSegment[] {
  const steps: FieldPathSegment[] = [];
  let node = condition;
  let rest = path;
  while (rest !== '') {
    const index = /^\[(\d+)\]/.exec(rest);
    if (index?.[1] !== undefined && Array.isArray(node)) {
      const position = Number(index[1]);
      steps.push(position);
      node = node[position];
      rest = rest.slice(index[0].length);
    } else if (isJsonObject(node)) {
      const remaining = rest;
      const keys = Object.keys(node).filter(
        (key) => remaining === key || remaining.startsWith(`${key}.`) || remaining.startsWith(`${key}[`),
      );
      const key = keys.sort((a, b) => b.length - a.length)[0];
      if (key === undefined) break;
      steps.push(key);
      node = node[key];
      rest = rest.slice(key.length);
    } else {
      break;
    }
    if (rest.startsWith('.')) rest = rest.slice(1);
  }
  return steps;
}
