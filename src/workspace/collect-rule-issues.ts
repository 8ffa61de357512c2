import { conditionReads, validateCondition } from '../conditions/compile-condition.ts';
import { isJsonObject } from '../ingest/merge-objects.ts';
import { LIFECYCLE_READABLE_ROOTS } from '../intent/lifecycle.ts';
import { AGGREGATES } from '../profile/computed/computed-trait.ts';
import { parseDuration } from '../time/duration.ts';
import { type FieldPathSegment, formatFieldPath, type WorkspaceIssue } from './workspace-issue.ts';

/**
 * The checks a schema cannot express: trait, score and lifecycle stage keys are unique, windows
 * and half-lives are durations, every aggregate but `count` names the `property` it aggregates,
 * score and stage conditions compile (each problem at its path inside `where`/`when`), stage
 * conditions read only the profile, and only the last stage leaves out `when`. Reads the document
 * defensively, so it can run beside `collectSchemaIssues` and a user sees every problem in one pass.
 */
export function collectRuleIssues(document: unknown): WorkspaceIssue[] {
  if (!isJsonObject(document)) return [];
  return [
    ...traitIssues(document.computed_traits),
    ...scoreIssues(document.scores),
    ...lifecycleIssues(document.lifecycle),
  ];
}

function traitIssues(traits: unknown): WorkspaceIssue[] {
  if (!Array.isArray(traits)) return [];
  const issues: WorkspaceIssue[] = [];
  const firstIndex = new Map<string, number>();
  traits.forEach((trait: unknown, index) => {
    if (!isJsonObject(trait)) return;
    const { key, aggregate, window } = trait;
    duplicateKeyIssue({
      section: ['computed_traits'],
      what: 'computed trait',
      key,
      index,
      firstIndex,
      issues,
    });
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
    duplicateKeyIssue({ section: ['scores'], what: 'score', key, index, firstIndex, issues });
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
      issues.push(...conditionIssues(['scores', index, 'rules', ruleIndex, 'where'], rule.where));
    });
  });
  return issues;
}

/**
 * Lifecycle stages: unique keys, `when` left out on the last stage only (a stage without it takes
 * everyone, so later stages could never be reached), and valid conditions on the profile alone.
 */
function lifecycleIssues(lifecycle: unknown): WorkspaceIssue[] {
  if (!isJsonObject(lifecycle) || !Array.isArray(lifecycle.stages)) return [];
  const { stages } = lifecycle;
  const issues: WorkspaceIssue[] = [];
  const firstIndex = new Map<string, number>();
  stages.forEach((stage: unknown, index) => {
    if (!isJsonObject(stage)) return;
    const section: FieldPathSegment[] = ['lifecycle', 'stages'];
    duplicateKeyIssue({ section, what: 'lifecycle stage', key: stage.key, index, firstIndex, issues });
    if (stage.when === undefined && index < stages.length - 1) {
      issues.push({
        path: [...section, index],
        at: 'value',
        message: `only the last stage may leave out \`when\`: this stage takes everyone, so the ${stages.length - 1 - index} after it could never be reached`,
      });
    }
    if (!isJsonObject(stage.when)) return;
    const at = [...section, index, 'when'];
    const invalid = conditionIssues(at, stage.when);
    issues.push(...(invalid.length > 0 ? invalid : profileOnlyIssues(at, stage.when)));
  });
  return issues;
}

/** Problems of a condition that does not compile, each at its path inside the condition. */
function conditionIssues(at: FieldPathSegment[], condition: Record<string, unknown>): WorkspaceIssue[] {
  return validateCondition(condition).map((problem) => ({
    path: [...at, ...conditionFieldPath(condition, problem.path)],
    at: 'value',
    message: `${problem.path === '' ? 'the condition' : `\`${problem.path}\``} ${problem.message}`,
  }));
}

/**
 * Paths of a valid condition that a lifecycle stage cannot read (`event.*`, `properties.*`,
 * `segments`, …), and `$performed`, which needs event history a stage is not read with; each
 * at the key that reads it.
 */
function profileOnlyIssues(at: FieldPathSegment[], condition: Record<string, unknown>): WorkspaceIssue[] {
  const reads = conditionReads(condition);
  const readable = [...LIFECYCLE_READABLE_ROOTS].join(', ');
  const issues: WorkspaceIssue[] = reads.paths
    .filter((path) => !LIFECYCLE_READABLE_ROOTS.has(path.split('.', 1)[0] ?? path))
    .map((path) => ({
      path: [...at, ...(keyPath(condition, path) ?? [])],
      at: 'key',
      message: `\`${path}\` is not part of the profile: a lifecycle stage is read from the profile alone, so its condition may read only ${readable}`,
    }));
  if (reads.events.length > 0) {
    issues.push({
      path: [...at, ...(keyPath(condition, '$performed') ?? [])],
      at: 'key',
      message:
        '`$performed` needs the event history, which a lifecycle stage is not read with: count the events in a computed trait and test `computed.<key>`',
    });
  }
  return issues;
}

/** The document steps to the first key named `name` inside a condition, depth first; undefined when absent. */
function keyPath(node: unknown, name: string): FieldPathSegment[] | undefined {
  const entries: [FieldPathSegment, unknown][] = Array.isArray(node)
    ? node.map((item, index) => [index, item])
    : isJsonObject(node)
      ? Object.entries(node)
      : [];
  for (const [step, child] of entries) {
    if (step === name) return [step];
    const rest = keyPath(child, name);
    if (rest !== undefined) return [step, ...rest];
  }
  return undefined;
}

/** Reports a key already used earlier in the same section; remembers the first use of each key. */
function duplicateKeyIssue(input: {
  section: FieldPathSegment[];
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
    path: [...section, index, 'key'],
    at: 'value',
    message: `the key \`${key}\` is already used by ${formatFieldPath([...section, first])}: each ${what} needs its own key`,
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
