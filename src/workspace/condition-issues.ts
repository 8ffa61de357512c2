import { validateCondition } from '../conditions/compile-condition.ts';
import { isJsonObject } from '../ingest/merge-objects.ts';
import type { FieldPathSegment, WorkspaceIssue } from './workspace-issue.ts';

/** The operators that name a segment; `conditionReads` records them as a read of `segments`. */
const SEGMENT_OPERATORS: readonly string[] = ['$inSegment', '$notInSegment'];

/** Problems of a condition that does not compile, each at its path inside the condition (`at` is the condition's path). */
export function conditionIssues(
  at: FieldPathSegment[],
  condition: Record<string, unknown>,
): WorkspaceIssue[] {
  return validateCondition(condition).map((problem) => ({
    path: [...at, ...conditionFieldPath(condition, problem.path)],
    at: 'value',
    message: `${problem.path === '' ? 'the condition' : `\`${problem.path}\``} ${problem.message}`,
  }));
}

/**
 * The document steps to the first key of a condition, depth first, for which `test` holds
 * (given the key and its value); undefined when there is none.
 */
export function findConditionKey(
  node: unknown,
  test: (key: FieldPathSegment, value: unknown) => boolean,
): FieldPathSegment[] | undefined {
  const entries: [FieldPathSegment, unknown][] = Array.isArray(node)
    ? node.map((item, index) => [index, item])
    : isJsonObject(node)
      ? Object.entries(node)
      : [];
  for (const [step, child] of entries) {
    if (typeof step === 'string' && test(step, child)) return [step];
    const rest = findConditionKey(child, test);
    if (rest !== undefined) return [step, ...rest];
  }
  return undefined;
}

/** The document steps to the first key named `name` inside a condition, depth first; undefined when absent. */
export function conditionKeyPath(condition: unknown, name: string): FieldPathSegment[] | undefined {
  return findConditionKey(condition, (key) => key === name);
}

/**
 * Where a condition reads a context path that `conditionReads` listed: the key written with it,
 * or for `segments` the `$inSegment`/`$notInSegment` that reads it; empty (the whole condition)
 * when neither is found.
 */
export function readPosition(condition: unknown, path: string): FieldPathSegment[] {
  const written = conditionKeyPath(condition, path);
  if (written !== undefined) return written;
  if (path !== 'segments') return [];
  return findConditionKey(condition, (key) => SEGMENT_OPERATORS.includes(String(key))) ?? [];
}

/** Where a condition tests membership of the segment `segment` (`$inSegment: segment`); undefined when it does not. */
export function segmentReferencePosition(
  condition: unknown,
  segment: string,
): FieldPathSegment[] | undefined {
  return findConditionKey(
    condition,
    (key, value) => SEGMENT_OPERATORS.includes(String(key)) && value === segment,
  );
}

/**
 * Turns a condition's JSON path (`$and[1].properties.path.$regex`) into document steps by
 * walking the condition itself, since its keys may hold dots (`properties.path` is one key).
 * Stops at the deepest step the condition holds.
 */
export function conditionFieldPath(condition: unknown, path: string): FieldPathSegment[] {
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

/** The top-level context name a read path starts with: `traits` for `traits.plan`. */
export function pathRoot(path: string): string {
  return path.split('.', 1)[0] ?? path;
}
