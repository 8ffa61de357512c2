import { parseDuration } from '../time/duration.ts';
import { type FieldPathSegment, formatFieldPath, type WorkspaceIssue } from './workspace-issue.ts';

/**
 * Reports a key already used earlier in the same section (`computed_traits`, `segments`, …) and
 * remembers the first use of each key; `what` names one entry in the message (`computed trait`).
 */
export function duplicateKeyIssue(input: {
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
export function durationIssue(input: {
  path: FieldPathSegment[];
  text: unknown;
  issues: WorkspaceIssue[];
}): void {
  if (typeof input.text !== 'string') return;
  try {
    parseDuration(input.text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    input.issues.push({ path: input.path, at: 'value', message: reason });
  }
}
