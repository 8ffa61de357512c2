import type { ErrorDetail } from '../errors.ts';
import type { EventFilter } from './behaviour-source.ts';
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
  /** Numbers a context path is compared with (`scores.intent` ≥ 40 → 40): where a decaying value can flip the answer. */
  readonly thresholds: Map<string, Set<number>>;
  /**
   * By context path, how long after the timestamp found there a `$newerThan`/`$olderThan`
   * answer flips: the duration for `$newerThan`, one ms more for `$olderThan` (strictly older).
   */
  readonly ages: Map<string, Set<number>>;
  /** Each `$performed`: what a behaviour source must be able to count for it. */
  readonly performed: PerformedRead[];
}

/**
 * One `$performed` of a condition: its event, its compiled `where` (the very function the
 * queries it makes carry, so a behaviour source can recognise them) and its window: `within`
 * in ms, `between` for a `between` window, or all time.
 */
export interface PerformedRead {
  readonly event: string;
  readonly where: EventFilter | undefined;
  readonly window: { kind: 'all' } | { kind: 'within'; ms: number } | { kind: 'between' };
}

/** Adds `value` to the set under `key` of a reads map. */
export function addRead(map: Map<string, Set<number>>, key: string, value: number): void {
  const set = map.get(key);
  if (set === undefined) map.set(key, new Set([value]));
  else set.add(value);
}

/**
 * The state of one compilation: where we are, the problems found so far (all are reported,
 * not only the first) and what the condition reads. The two compile functions are passed in
 * so operator modules can recurse without importing the modules that import them.
 */
export interface CompileContext {
  readonly subject: Subject;
  /** The context path whose value is being compared (`scores.intent`), when the subject is the whole context. */
  readonly field?: string;
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
