import { parseDuration } from '../time/duration.ts';
import { addRead, type CompileContext, fail, indexPath } from './compile-context.ts';
import { compileLinearPattern } from './linear-pattern.ts';
import type { Matcher } from './matcher.ts';
import { not } from './matcher.ts';
import { relational } from './relational.ts';
import { toEpochMs } from './timestamp.ts';
import { TYPE_NAMES, typeName } from './type-name.ts';
import { isOperatorObject, isPlainObject, isScalar } from './value-guards.ts';
import { versionKey } from './version-key.ts';

/** Compiles one operator's operand, found at `path`, into a test of the value at the condition's path. */
type OperatorCompiler = (operand: unknown, path: string, context: CompileContext) => Matcher;

const equality =
  (negate: boolean): OperatorCompiler =>
  (operand, path, context) => {
    if (!isScalar(operand)) return fail(context, path, 'needs a string, number, boolean or null');
    recordThreshold(context, operand);
    return negate ? (value) => value !== operand : (value) => value === operand;
  };

const ordering =
  (operator: '$lt' | '$lte' | '$gt' | '$gte'): OperatorCompiler =>
  (operand, path, context) => {
    if (typeof operand !== 'number' && typeof operand !== 'string') {
      return fail(context, path, 'needs a number or a string');
    }
    recordThreshold(context, operand);
    return relational(operator, operand);
  };

/** Records a number compared with a context path, for the time analysis of `ConditionReads.thresholds`. */
function recordThreshold(context: CompileContext, operand: unknown): void {
  if (typeof operand !== 'number' || !Number.isFinite(operand)) return;
  if (context.subject === 'context' && context.field !== undefined)
    addRead(context.reads.thresholds, context.field, operand);
}

/** How many distinct version strings each version operator remembers the key of. */
const VERSION_CACHE_SIZE = 1024;

const foldCase = (value: unknown): unknown => (typeof value === 'string' ? value.toLowerCase() : value);

/** `$in` and friends: the value (or, for an array, any of its items) is one of the listed values. */
const membership =
  (insensitive: boolean, negate: boolean): OperatorCompiler =>
  (operand, path, context) => {
    if (!Array.isArray(operand)) return fail(context, path, 'needs an array of values, like ["a", "b"]');
    const bad = operand.findIndex((item) => !isScalar(item));
    if (bad >= 0) return fail(context, indexPath(path, bad), 'needs a string, number, boolean or null');
    // Case-insensitive matching compares with ===, under which NaN equals nothing.
    const values = new Set(
      insensitive ? operand.filter((item) => !Number.isNaN(item)).map(foldCase) : operand,
    );
    const has = insensitive
      ? (item: unknown) => values.has(foldCase(item))
      : (item: unknown) => values.has(item);
    const matches: Matcher = (value) => {
      if (!Array.isArray(value)) return has(value);
      for (let i = 0; i < value.length; i += 1) if (has(value[i])) return true;
      return false;
    };
    return negate ? not(matches) : matches;
  };

/** `$all`/`$alli`: the value is an array and every listed condition matches one of its items. */
const containsAll =
  (insensitive: boolean): OperatorCompiler =>
  (operand, path, context) => {
    if (!Array.isArray(operand)) return fail(context, path, 'needs an array of values or conditions');
    const tests = operand.map((item, i) => context.value(item, indexPath(path, i), context, insensitive));
    return (value, now, behaviour) => {
      if (!Array.isArray(value)) return false;
      for (const test of tests) {
        let found = false;
        for (let j = 0; j < value.length && !found; j += 1) found = test(value[j], now, behaviour);
        if (!found) return false;
      }
      return true;
    };
  };

const elemMatch: OperatorCompiler = (operand, path, context) => {
  if (!isPlainObject(operand))
    return fail(context, path, 'needs a condition object, like { "$gt": 3 } or { "sku": "A1" }');
  const test = isOperatorObject(operand)
    ? context.value(operand, path, context, false)
    : context.condition(operand, path, { ...context, subject: 'element' });
  return (value, now, behaviour) => {
    if (!Array.isArray(value)) return false;
    for (let i = 0; i < value.length; i += 1) {
      const item: unknown = value[i];
      if (item !== null && item !== undefined && test(item, now, behaviour)) return true;
    }
    return false;
  };
};

const size: OperatorCompiler = (operand, path, context) => {
  const countable =
    (typeof operand === 'number' && Number.isInteger(operand) && operand >= 0) || isOperatorObject(operand);
  if (!countable)
    return fail(context, path, 'needs a whole number or an operator object, like { "$gte": 2 }');
  const test = context.value(operand, path, context, false);
  return (value, now, behaviour) => Array.isArray(value) && test(value.length, now, behaviour);
};

const exists: OperatorCompiler = (operand, path, context) => {
  if (typeof operand !== 'boolean') return fail(context, path, 'needs true or false');
  return operand
    ? (value) => value !== null && value !== undefined
    : (value) => value === null || value === undefined;
};

const type: OperatorCompiler = (operand, path, context) => {
  const name = TYPE_NAMES.find((candidate) => candidate === operand);
  if (name === undefined) return fail(context, path, `needs one of ${TYPE_NAMES.join(', ')}`);
  return (value) => typeName(value) === name;
};

const regex =
  (ignoreCase: boolean): OperatorCompiler =>
  (operand, path, context) => {
    if (typeof operand !== 'string') return fail(context, path, 'needs a regular expression as a string');
    const compiled = compileLinearPattern(operand, { ignoreCase });
    if (!compiled.ok) return fail(context, path, compiled.message);
    const { pattern } = compiled;
    return (value) => pattern.test(typeof value === 'string' ? value : String(value));
  };

const version =
  (holds: (actual: string, expected: string) => boolean): OperatorCompiler =>
  (operand, path, context) => {
    if (typeof operand !== 'string' && typeof operand !== 'number')
      return fail(context, path, 'needs a version, like "2.4.0"');
    const expected = versionKey(operand);
    // App versions repeat across profiles: remember recent keys so most evaluations build none.
    const keys = new Map<string, string>();
    return (value) => {
      if (typeof value !== 'string') return holds(versionKey(value), expected);
      let key = keys.get(value);
      if (key === undefined) {
        if (keys.size >= VERSION_CACHE_SIZE) keys.clear();
        key = versionKey(value);
        keys.set(value, key);
      }
      return holds(key, expected);
    };
  };

/** `$olderThan`/`$newerThan`: the value is a timestamp more (less) than a duration before `now`. */
const recency =
  (older: boolean): OperatorCompiler =>
  (operand, path, context) => {
    if (typeof operand !== 'string') return fail(context, path, 'needs a duration, like "30d" or "1h"');
    let ms: number;
    try {
      ms = parseDuration(operand);
    } catch (error) {
      return fail(context, path, error instanceof Error ? error.message : 'is not a duration');
    }
    context.reads.usesTime = true;
    if (context.subject === 'context' && context.field !== undefined)
      addRead(context.reads.ages, context.field, older ? ms + 1 : ms);
    return older
      ? (value, now) => (now ?? Date.now()) - toEpochMs(value) > ms
      : (value, now) => (now ?? Date.now()) - toEpochMs(value) < ms;
  };

/**
 * The operators that test the value at a path: GrowthBook's, with its semantics, plus
 * Tailor's recency extensions. Keys are exactly the operators a condition may use there.
 */
export const VALUE_OPERATORS: Readonly<Record<string, OperatorCompiler>> = {
  $eq: equality(false),
  $ne: equality(true),
  $gt: ordering('$gt'),
  $gte: ordering('$gte'),
  $lt: ordering('$lt'),
  $lte: ordering('$lte'),
  $in: membership(false, false),
  $nin: membership(false, true),
  $ini: membership(true, false),
  $nini: membership(true, true),
  $all: containsAll(false),
  $alli: containsAll(true),
  $elemMatch: elemMatch,
  $size: size,
  $exists: exists,
  $type: type,
  $regex: regex(false),
  $regexi: regex(true),
  $not: (operand, path, context) => not(context.value(operand, path, context, false)),
  $veq: version((actual, expected) => actual === expected),
  $vne: version((actual, expected) => actual !== expected),
  $vgt: version((actual, expected) => actual > expected),
  $vgte: version((actual, expected) => actual >= expected),
  $vlt: version((actual, expected) => actual < expected),
  $vlte: version((actual, expected) => actual <= expected),
  $olderThan: recency(true),
  $newerThan: recency(false),
};
