import { type ErrorDetail, TailorError } from '../errors.ts';
import type { BehaviourSource } from './behaviour-source.ts';
import type { CompileContext, PerformedRead } from './compile-context.ts';

export type { PerformedRead } from './compile-context.ts';

import { compileConditionObject } from './compile-object.ts';
import { compileValue } from './compile-value.ts';
import type { Matcher } from './matcher.ts';

/**
 * A compiled condition: a plain closure over the evaluation context (`traits`, `computed`,
 * `scores`, `risks`, `lifecycle_stage`, `segments`, `identifiers`, `consent`, and where in
 * scope `event` and `context`). Arguments are positional so the hot path allocates nothing:
 * `now` (epoch ms; defaults to the system clock, which the pipeline never relies on) is for
 * recency and `$performed` windows, `behaviour` answers `$performed`. It never throws.
 */
export type CompiledCondition = (
  context: Record<string, unknown>,
  now?: number,
  behaviour?: BehaviourSource,
) => boolean;

/**
 * What a condition reads, so segments can index which changes can change a membership:
 * `paths` are the dotted context paths as written (`traits.plan`, `context.location.city`;
 * `segments` for `$inSegment`), `events` the event names `$performed` counts, `segments` the
 * segment keys it tests, and `usesTime` whether the answer can change as time passes alone
 * (`$olderThan`, `$newerThan`, `$performed` windows) and so needs a timer.
 */
export interface ConditionReads {
  paths: string[];
  events: string[];
  segments: string[];
  usesTime: boolean;
  /** Numbers each context path is compared with (`{ "scores.intent": [40] }`). */
  thresholds: Record<string, number[]>;
  /**
   * By context path, how long (ms) after the timestamp found there a recency answer flips:
   * `$newerThan: 30d` → 30d, `$olderThan: 30d` → 30d + 1 ms (`{ "last_seen": [2592000001] }`).
   */
  ages: Record<string, number[]>;
  /** Every `$performed` in the condition, for behaviour sources (see `PerformedRead`). */
  performed: PerformedRead[];
}

/**
 * Compiles a condition (parsed JSON or YAML) once into a closure: paths are split, regular
 * expressions built, durations parsed and lists turned into sets here, not per evaluation.
 * Throws `TailorError('INVALID_CONDITION')` listing every problem with its JSON path
 * (`$and[1].traits.age.$gt`).
 */
export function compileCondition(condition: unknown): CompiledCondition {
  return compileChecked(condition).matcher;
}

/** Checks a condition without keeping the compiled form; an empty list means it is valid. */
export function validateCondition(condition: unknown): ErrorDetail[] {
  return compile(condition).context.issues;
}

/** What a valid condition reads (see `ConditionReads`); throws like `compileCondition` on an invalid one. */
export function conditionReads(condition: unknown): ConditionReads {
  return compileConditionWithReads(condition).reads;
}

/**
 * Compiles a condition and reports what it reads, from one compilation: the `where` functions
 * in `reads.performed` are the very ones the compiled condition's queries carry.
 */
export function compileConditionWithReads(condition: unknown): {
  matcher: CompiledCondition;
  reads: ConditionReads;
} {
  const { matcher, context } = compileChecked(condition);
  const { reads } = context;
  return {
    matcher,
    reads: {
      paths: [...reads.paths].sort(),
      events: [...reads.events].sort(),
      segments: [...reads.segments].sort(),
      usesTime: reads.usesTime,
      thresholds: sortedLists(reads.thresholds),
      ages: sortedLists(reads.ages),
      performed: [...reads.performed],
    },
  };
}

function sortedLists(map: Map<string, Set<number>>): Record<string, number[]> {
  const lists: Record<string, number[]> = {};
  for (const [key, set] of [...map].sort(([a], [b]) => (a < b ? -1 : 1)))
    lists[key] = [...set].sort((a, b) => a - b);
  return lists;
}

function compileChecked(condition: unknown): { matcher: Matcher; context: CompileContext } {
  const compiled = compile(condition);
  const { issues } = compiled.context;
  const first = issues[0];
  if (first !== undefined) {
    const where = first.path === '' ? 'the condition' : first.path;
    const more =
      issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    throw new TailorError('INVALID_CONDITION', `Invalid condition: ${where} ${first.message}${more}`, issues);
  }
  return compiled;
}

function compile(condition: unknown): { matcher: Matcher; context: CompileContext } {
  const context: CompileContext = {
    subject: 'context',
    issues: [],
    reads: {
      paths: new Set(),
      events: new Set(),
      segments: new Set(),
      usesTime: false,
      thresholds: new Map(),
      ages: new Map(),
      performed: [],
    },
    condition: compileConditionObject,
    value: compileValue,
  };
  return { matcher: compileConditionObject(condition, '', context), context };
}
