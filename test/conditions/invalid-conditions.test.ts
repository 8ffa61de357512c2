import { describe, expect, it } from 'vitest';
import {
  compileCondition,
  conditionReads,
  validateCondition,
} from '../../src/conditions/compile-condition.ts';
import { isTailorError } from '../../src/errors.ts';

/** [what is wrong, condition, JSON path of the fault, words the message must hold] */
const CASES: [name: string, condition: unknown, path: string, message: RegExp][] = [
  ['not an object', 'traits.plan = pro', '', /condition object/],
  ['an array at the top', [{ 'traits.plan': 'pro' }], '', /condition object/],
  ['unknown top-level operator', { $where: 'this.a > 1' }, '$where', /not an operator/],
  ["GrowthBook's $savedGroup", { $savedGroup: { id: 'g' } }, '$savedGroup', /not an operator/],
  ['value operator at the top', { $gt: 3 }, '$gt', /goes under a path/],
  [
    'unknown value operator',
    { 'traits.age': { $greater: 3 } },
    'traits.age.$greater',
    /not an operator on a value/,
  ],
  [
    'unknown operator deep inside',
    { $and: [{}, { 'traits.age': { $gtt: 3 } }] },
    '$and[1].traits.age.$gtt',
    /not an operator/,
  ],
  [
    '$gt of an array',
    { $and: [{}, { 'traits.age': { $gt: [1] } }] },
    '$and[1].traits.age.$gt',
    /number or a string/,
  ],
  ['$gte of null', { 'traits.age': { $gte: null } }, 'traits.age.$gte', /number or a string/],
  ['$in: 5', { 'traits.plan': { $in: 5 } }, 'traits.plan.$in', /array of values/],
  ['$nin of a string', { 'traits.plan': { $nin: 'free' } }, 'traits.plan.$nin', /array of values/],
  [
    '$in with an object item',
    { 'traits.plan': { $in: ['a', { b: 1 }] } },
    'traits.plan.$in[1]',
    /string, number/,
  ],
  ['$ini of an object', { 'traits.plan': { $ini: { a: 1 } } }, 'traits.plan.$ini', /array/],
  ['$all of a string', { 'traits.tags': { $all: 'vip' } }, 'traits.tags.$all', /array/],
  [
    'bad item inside $all',
    { 'traits.tags': { $all: ['a', { $foo: 1 }] } },
    'traits.tags.$all[1].$foo',
    /not an operator/,
  ],
  [
    '$eq of an object',
    { 'traits.plan': { $eq: { a: 1 } } },
    'traits.plan.$eq',
    /string, number, boolean or null/,
  ],
  ['$exists of a string', { 'traits.plan': { $exists: 'yes' } }, 'traits.plan.$exists', /true or false/],
  ['$type of an unknown name', { 'traits.plan': { $type: 'int' } }, 'traits.plan.$type', /one of string/],
  ['$size of a string', { 'traits.tags': { $size: '3' } }, 'traits.tags.$size', /whole number/],
  [
    '$elemMatch of a number',
    { 'traits.tags': { $elemMatch: 5 } },
    'traits.tags.$elemMatch',
    /condition object/,
  ],
  [
    '$or inside an operator object',
    { 'traits.orders': { $elemMatch: { $or: [] } } },
    'traits.orders.$elemMatch.$or',
    /beside a path/,
  ],
  [
    '$regex that does not compile',
    { 'traits.email': { $regex: '(unclosed' } },
    'traits.email.$regex',
    /regular expression/,
  ],
  ['$regexi of a number', { 'traits.email': { $regexi: 5 } }, 'traits.email.$regexi', /regular expression/],
  ['$vgt of a boolean', { v: { $vgt: true } }, 'v.$vgt', /version/],
  [
    'operators mixed with fields',
    { 'traits.address': { $exists: true, city: 'X' } },
    'traits.address',
    /mixes/,
  ],
  ['$and of an object', { $and: { 'traits.plan': 'pro' } }, '$and', /array of condition objects/],
  ['$or item not an object', { $or: [{ a: 1 }, 'b'] }, '$or[1]', /condition object/],
  ['$not of an array', { $not: [] }, '$not', /condition object/],
  ['empty path segment', { 'traits..plan': 'pro' }, 'traits..plan', /dotted names/],
  [
    'bad duration',
    { 'traits.last_seen': { $olderThan: '30 days' } },
    'traits.last_seen.$olderThan',
    /not a duration/,
  ],
  [
    'zero duration',
    { 'traits.last_seen': { $newerThan: '0d' } },
    'traits.last_seen.$newerThan',
    /longer than zero/,
  ],
  [
    'duration of a number',
    { 'traits.last_seen': { $newerThan: 30 } },
    'traits.last_seen.$newerThan',
    /duration/,
  ],
  ['$inSegment of a number', { $inSegment: 3 }, '$inSegment', /segment key/],
  [
    '$inSegment inside $elemMatch',
    { list: { $elemMatch: { a: 1, $inSegment: 'x' } } },
    'list.$elemMatch.$inSegment',
    /whole profile/,
  ],
  ['$performed of a string', { $performed: 'Signed Up' }, '$performed', /event/],
  ['$performed without event', { $performed: { count: 2 } }, '$performed.event', /event name/],
  [
    '$performed unknown field',
    { $performed: { event: 'A', times: 2 } },
    '$performed.times',
    /not a \$performed field/,
  ],
  [
    '$performed bad within',
    { $performed: { event: 'A', within: 'a week' } },
    '$performed.within',
    /not a duration/,
  ],
  ['$performed bad count', { $performed: { event: 'A', count: -1 } }, '$performed.count', /whole number/],
  [
    '$performed never and count',
    { $performed: { event: 'A', never: true, count: 0 } },
    '$performed.never',
    /count/,
  ],
  [
    '$performed within and between',
    { $performed: { event: 'A', within: '7d', between: ['14d', '7d'] } },
    '$performed.between',
    /within/,
  ],
  [
    '$performed between of one',
    { $performed: { event: 'A', between: ['7d'] } },
    '$performed.between',
    /\[from, to\]/,
  ],
  [
    '$performed between reversed',
    { $performed: { event: 'A', between: ['7d', '14d'] } },
    '$performed.between',
    /starts after/,
  ],
  [
    '$performed bad between edge',
    { $performed: { event: 'A', between: ['2026-01-01', true] } },
    '$performed.between[1]',
    /ISO/,
  ],
  [
    'bad operator in a where',
    { $performed: { event: 'A', where: { plan: { $inn: ['x'] } } } },
    '$performed.where.plan.$inn',
    /not an operator/,
  ],
  [
    '$performed inside a where',
    { $performed: { event: 'A', where: { $performed: { event: 'B' } } } },
    '$performed.where.$performed',
    /whole profile/,
  ],
];

describe('invalid conditions are rejected at compile time', () => {
  it.each(CASES)('%s', (_name, condition, path, message) => {
    let thrown: unknown;
    try {
      compileCondition(condition);
    } catch (error) {
      thrown = error;
    }
    expect(isTailorError(thrown)).toBe(true);
    if (!isTailorError(thrown)) return;
    expect(thrown.code).toBe('INVALID_CONDITION');
    expect(thrown.status).toBe(400);
    expect(thrown.details).toContainEqual({ path, message: expect.stringMatching(message) });
    expect(validateCondition(condition)).toEqual(thrown.details);
    expect(() => conditionReads(condition)).toThrow(thrown.message);
  });

  it('reports every problem, not only the first', () => {
    const problems = validateCondition({
      'traits.age': { $gt: 'x', $foo: 1 },
      $or: [{ a: { $in: 1 } }],
      $bar: 2,
    });
    expect(problems.map((problem) => problem.path)).toEqual(['traits.age.$foo', '$or[0].a.$in', '$bar']);
    expect(() => compileCondition({ $bar: 1, $baz: 2 })).toThrow(
      'Invalid condition: $bar is not an operator',
    );
  });

  it('finds nothing wrong with a valid condition', () => {
    expect(
      validateCondition({ 'traits.plan': 'pro', $performed: { event: 'A', count: { $gte: 2 } } }),
    ).toEqual([]);
  });
});
