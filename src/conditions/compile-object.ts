import { type CompileContext, fail, indexPath, keyPath } from './compile-context.ts';
import { allOf, anyOf, type Matcher, not } from './matcher.ts';
import { compilePath } from './path-getter.ts';
import { compilePerformed } from './performed.ts';
import { compileSegmentMembership } from './segment-membership.ts';
import { isPlainObject } from './value-guards.ts';
import { VALUE_OPERATORS } from './value-operators.ts';

const CONDITION_OPERATORS = ['$and', '$or', '$nor', '$not', '$inSegment', '$notInSegment', '$performed'];

/**
 * Compiles a condition object: every key must hold, each either a dotted path compared with
 * a value condition or one of `$and`, `$or`, `$nor`, `$not` and, on the whole context only,
 * `$inSegment`, `$notInSegment`, `$performed`. Like GrowthBook, an empty `$or` matches and an
 * empty `$nor` does not.
 */
export function compileConditionObject(node: unknown, path: string, context: CompileContext): Matcher {
  if (!isPlainObject(node)) {
    return fail(
      context,
      path,
      'needs a condition object of paths and operators, like { "traits.plan": "pro" }',
    );
  }
  const parts: Matcher[] = [];
  for (const [key, operand] of Object.entries(node)) {
    const at = keyPath(path, key);
    switch (key) {
      case '$and':
        parts.push(allOf(conditionList(operand, at, context)));
        break;
      case '$or':
        parts.push(anyOf(conditionList(operand, at, context)));
        break;
      case '$nor':
        parts.push(not(anyOf(conditionList(operand, at, context))));
        break;
      case '$not':
        parts.push(not(context.condition(operand, at, context)));
        break;
      case '$inSegment':
      case '$notInSegment':
        parts.push(
          onContext(at, context, () =>
            compileSegmentMembership(operand, at, context, key === '$notInSegment'),
          ),
        );
        break;
      case '$performed':
        parts.push(onContext(at, context, () => compilePerformed(operand, at, context)));
        break;
      default:
        parts.push(
          key.startsWith('$') ? unknownOperator(key, at, context) : pathCondition(key, operand, at, context),
        );
    }
  }
  return allOf(parts);
}

function conditionList(operand: unknown, path: string, context: CompileContext): Matcher[] {
  if (!Array.isArray(operand)) return [fail(context, path, 'needs an array of condition objects')];
  return operand.map((item, i) => context.condition(item, indexPath(path, i), context));
}

function pathCondition(key: string, operand: unknown, path: string, context: CompileContext): Matcher {
  if (key.split('.').includes(''))
    return fail(context, path, 'is not a path: write dotted names, like traits.plan');
  const onField = context.subject === 'context' ? { ...context, field: key } : context;
  if (context.subject === 'context') context.reads.paths.add(key);
  const get = compilePath(key);
  const test = context.value(operand, path, onField, false);
  return (subject, now, behaviour) => test(get(subject), now, behaviour);
}

/** Compiles an operator that reads the whole profile, refusing it inside `$elemMatch` or a `where`. */
function onContext(path: string, context: CompileContext, compile: () => Matcher): Matcher {
  if (context.subject === 'context') return compile();
  return fail(
    context,
    path,
    'reads the whole profile, so it cannot be used inside $elemMatch or a $performed where',
  );
}

function unknownOperator(key: string, path: string, context: CompileContext): Matcher {
  if (Object.hasOwn(VALUE_OPERATORS, key)) {
    return fail(
      context,
      path,
      `compares a value, so it goes under a path, like { "traits.age": { "${key}": … } }`,
    );
  }
  return fail(
    context,
    path,
    `is not an operator; a condition uses paths and ${CONDITION_OPERATORS.join(', ')}, and a value ${Object.keys(VALUE_OPERATORS).join(', ')}`,
  );
}
