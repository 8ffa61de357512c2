import { type ConditionInterface, evalCondition } from '@growthbook/growthbook';
import { describe, expect, it } from 'vitest';
import { compileCondition } from '../../src/conditions/compile-condition.ts';

/** A small deterministic generator (mulberry32), so a failure always reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Awkward values on purpose: numeric strings, falsy values, nulls, arrays, objects, versions.
/** What a generated condition and context are made of. */
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const VALUES: Json[] = [
  0,
  1,
  3,
  42,
  -1,
  2.5,
  '',
  '0',
  '3',
  '42',
  'abc',
  'ABC',
  'Pro',
  'pro',
  '1.2.3',
  'v1.10.0',
  '1.2.3-beta',
  true,
  false,
  null,
  [],
  ['pro'],
  ['a', 'B'],
  [1, 3],
  [null, 0],
  { a: 1 },
  { a: 'pro', b: [1] },
];
const PATHS = ['a', 'b', 'c.d', 'missing', 'c.missing.deep'];
const SCALAR_OPERATORS = [
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$veq',
  '$vne',
  '$vgt',
  '$vgte',
  '$vlt',
  '$vlte',
];
const LIST_OPERATORS = ['$in', '$nin', '$ini', '$nini', '$all', '$alli'];

function generator(next: () => number) {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const scalar = (): Json => pick(VALUES.filter((value) => value === null || typeof value !== 'object'));
  const valueCondition = (depth: number): Json => {
    switch (Math.floor(next() * 8)) {
      case 0:
        return pick(VALUES);
      case 1:
        return { [pick(LIST_OPERATORS)]: [scalar(), scalar()] };
      case 2:
        return { $exists: next() < 0.5 };
      case 3:
        return { $type: pick(['string', 'number', 'boolean', 'array', 'object', 'null']) };
      case 4:
        return { $regex: pick(['^p', 'B$', '\\d', 'null', '1\\.']) };
      case 5:
        return depth > 0 ? { $not: valueCondition(depth - 1) } : { $size: Math.floor(next() * 3) };
      case 6:
        return depth > 0 ? { $elemMatch: { $eq: scalar() } } : { $regexi: 'pro' };
      default: {
        const operator = pick(SCALAR_OPERATORS);
        const operand = scalar();
        const typed = operator.startsWith('$v') || operator.startsWith('$g') || operator.startsWith('$l');
        return {
          [operator]: typed && typeof operand !== 'string' && typeof operand !== 'number' ? 1 : operand,
        };
      }
    }
  };
  const condition = (depth: number): ConditionInterface => {
    const roll = next();
    if (depth > 0 && roll < 0.15) return { $or: [condition(depth - 1), condition(depth - 1)] };
    if (depth > 0 && roll < 0.25) return { $and: [condition(depth - 1), condition(depth - 1)] };
    if (depth > 0 && roll < 0.3) return { $nor: [condition(depth - 1)] };
    if (depth > 0 && roll < 0.35) return { $not: condition(depth - 1) };
    return { [pick(PATHS)]: valueCondition(1) };
  };
  const context = (): Record<string, unknown> => ({
    a: pick(VALUES),
    b: pick(VALUES),
    c: { d: pick(VALUES) },
  });
  return { condition, context };
}

describe('random conditions agree with GrowthBook', () => {
  it('gives the same answer as evalCondition on 20,000 generated cases', () => {
    const { condition, context } = generator(random(20_260_615));
    let matched = 0;
    for (let i = 0; i < 2000; i += 1) {
      const generated = condition(2);
      const compiled = compileCondition(generated);
      for (let j = 0; j < 10; j += 1) {
        const subject = context();
        const expected = evalCondition(subject, generated);
        if (compiled(subject) !== expected) {
          expect({ condition: generated, context: subject, tailor: compiled(subject) }).toEqual({
            condition: generated,
            context: subject,
            tailor: expected,
          });
        }
        if (expected) matched += 1;
      }
    }
    // Both outcomes are well represented, so agreement is not trivial.
    expect(matched).toBeGreaterThan(2000);
    expect(matched).toBeLessThan(18_000);
  });
});
