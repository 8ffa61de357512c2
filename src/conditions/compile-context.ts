import type { ErrorDetail } from '../errors.ts';
import { type Matcher, NEVER } from './matcher.ts';

/**
 * What a sub-condition is evaluated against: the whole context (profile, event, request),
 * one array element (inside `$elemMatch`) or one event's properties (a `$performed.where`).
 * Only conditions on the whole context record their paths and may use `$inSegment`/`$performed`.
 */
export type Subject = 'context' | 'element' | 'event';

/** What a condition reads, collected while compiling it. */
export interface ReadsCollector {
  readonly paths: Set<string>;
  readonly events: Set<string>;
  readonly segments: Set<string>;
  usesTime: boolean;
}

/**
 * The state of one compilation: where we are, the problems found so far (all are reported,
 * not only the first) and what the condition reads. The two compile functions are passed in
 * so operator modules can recurse without importing the modules that import them.
 */
export interface CompileContext {
  readonly subject: Subject;
  readonly issues: ErrorDetail[];
  readonly reads: ReadsCollector;
  /** Compiles a condition object (paths, `$and`, `$or`, …) evaluated against `subject`. */
  readonly condition: (node: unknown, path: string, context: CompileContext) => Matcher;
  /** Compiles a value condition: a literal or an operator object. */
  readonly value: (node: unknown, path: string, context: CompileContext, insensitive: boolean) => Matcher;
}

/** Records a problem at a JSON path and returns a matcher that stands in for the bad part. */
export function fail(context: CompileContext, path: string, message: string): Matcher {
  context.issues.push({ path, message });
  return NEVER;
}

/** The JSON path of a key under `path`: `$and[1]` + `traits.age` → `$and[1].traits.age`. */
export function keyPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** The JSON path of an array item under `path`: `$and` + 1 → `$and[1]`. */
export function indexPath(path: string, index: number): string {
  return `${path}[${index}]`;
}
