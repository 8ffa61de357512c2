import { addRead, type CompileContext, fail, keyPath } from './compile-context.ts';
import { allOf, type Matcher } from './matcher.ts';
import { isOperatorObject, isPlainObject } from './value-guards.ts';
import { VALUE_OPERATORS } from './value-operators.ts';

/**
 * Compiles what a path is compared with. A literal compares with GrowthBook's loose rules:
 * a string matches the value's string form (`42` matches `'42'`; an array `['a']` matches
 * `'a'`), a number its numeric form, a boolean its truthiness (never a missing value), `null`
 * a missing value, and an array or non-operator object its JSON text. An object of
 * `$operators` must pass every operator. `insensitive` (from `$alli`) folds case for strings.
 */
export function compileValue(
  node: unknown,
  path: string,
  context: CompileContext,
  insensitive: boolean,
): Matcher {
  if (typeof node === 'string') {
    if (insensitive) {
      const lower = node.toLowerCase();
      return (value) => String(value).toLowerCase() === lower;
    }
    return (value) => (typeof value === 'string' ? value : String(value)) === node;
  }
  if (typeof node === 'number') {
    if (context.subject === 'context' && context.field !== undefined && Number.isFinite(node))
      addRead(context.reads.thresholds, context.field, node);
    return (value) => (typeof value === 'number' ? value : Number(value)) === node;
  }
  if (typeof node === 'boolean') return (value) => value !== null && Boolean(value) === node;
  if (node === null) return (value) => value === null;
  if (isOperatorObject(node)) return compileOperators(node, path, context);
  if (isPlainObject(node) && Object.keys(node).some((key) => key.startsWith('$'))) {
    return fail(
      context,
      path,
      'mixes $operators with field names; put conditions on fields under their own paths',
    );
  }
  if (Array.isArray(node) || isPlainObject(node)) {
    const json = JSON.stringify(node);
    return (value) => JSON.stringify(value) === json;
  }
  return fail(context, path, 'needs a JSON value or an object of $operators');
}

function compileOperators(node: Record<string, unknown>, path: string, context: CompileContext): Matcher {
  const tests: Matcher[] = [];
  for (const [operator, operand] of Object.entries(node)) {
    const at = keyPath(path, operator);
    const compile = Object.hasOwn(VALUE_OPERATORS, operator) ? VALUE_OPERATORS[operator] : undefined;
    tests.push(
      compile === undefined ? unknownValueOperator(operator, at, context) : compile(operand, at, context),
    );
  }
  return allOf(tests);
}

function unknownValueOperator(operator: string, path: string, context: CompileContext): Matcher {
  if (operator === '$and' || operator === '$or' || operator === '$nor') {
    return fail(
      context,
      path,
      `combines conditions, but an object of only $operators tests a value; put ${operator} beside a path, or beside a field inside $elemMatch`,
    );
  }
  return fail(
    context,
    path,
    `is not an operator on a value; use one of ${Object.keys(VALUE_OPERATORS).join(', ')}`,
  );
}
