import { describe, expect, it } from 'vitest';
import type { BehaviourQuery } from '../../src/conditions/behaviour-source.ts';
import { compileCondition, conditionReads } from '../../src/conditions/compile-condition.ts';
import { memoryBehaviourSource } from '../../src/conditions/memory-behaviour-source.ts';

const NOW = Date.parse('2026-06-15T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Case = [
  name: string,
  condition: Record<string, unknown>,
  context: Record<string, unknown>,
  expected: boolean,
];

describe('recency: $olderThan and $newerThan', () => {
  const seen = (at: unknown) => ({ traits: { last_seen: at } });
  const CASES: Case[] = [
    ['older, epoch ms', { 'traits.last_seen': { $olderThan: '30d' } }, seen(NOW - 31 * DAY), true],
    ['not older, epoch ms', { 'traits.last_seen': { $olderThan: '30d' } }, seen(NOW - 29 * DAY), false],
    ['older, ISO string', { 'traits.last_seen': { $olderThan: '30d' } }, seen('2026-05-01T00:00:00Z'), true],
    [
      'exactly the duration is not older',
      { 'traits.last_seen': { $olderThan: '1h' } },
      seen(NOW - HOUR),
      false,
    ],
    ['newer, epoch ms', { 'traits.last_seen': { $newerThan: '1h' } }, seen(NOW - 30 * 60_000), true],
    ['not newer', { 'traits.last_seen': { $newerThan: '1h' } }, seen(NOW - 2 * HOUR), false],
    ['newer, ISO string', { 'traits.last_seen': { $newerThan: '1d' } }, seen('2026-06-15T06:00:00Z'), true],
    ['a future timestamp is newer', { 'traits.last_seen': { $newerThan: '1h' } }, seen(NOW + HOUR), true],
    ['missing path is neither', { 'traits.last_seen': { $olderThan: '1d' } }, { traits: {} }, false],
    ['missing path is not newer', { 'traits.last_seen': { $newerThan: '1d' } }, { traits: {} }, false],
    [
      'unparseable string is neither',
      { 'traits.last_seen': { $olderThan: '1d' } },
      seen('yesterday-ish'),
      false,
    ],
    ['a boolean is neither', { 'traits.last_seen': { $newerThan: '1d' } }, seen(true), false],
    [
      'window between two durations',
      { 'traits.last_seen': { $olderThan: '7d', $newerThan: '14d' } },
      seen(NOW - 10 * DAY),
      true,
    ],
    [
      'on the event in scope',
      { 'event.timestamp': { $newerThan: '5m' } },
      { event: { timestamp: NOW - 60_000 } },
      true,
    ],
  ];
  it.each(CASES)('%s', (_name, condition, context, expected) => {
    expect(compileCondition(condition)(context, NOW)).toBe(expected);
  });

  it('uses the system clock when no now is given', () => {
    const recent = compileCondition({ 'traits.last_seen': { $newerThan: '1h' } });
    expect(recent({ traits: { last_seen: Date.now() - 1000 } })).toBe(true);
  });
});

describe('membership: $inSegment and $notInSegment', () => {
  const asObject = { segments: { vip: { since: NOW - DAY }, trial: true, lapsed: false, gone: null } };
  const asArray = { segments: ['vip', 'trial'] };
  const CASES: Case[] = [
    ['in, object of memberships', { $inSegment: 'vip' }, asObject, true],
    ['in, entry true', { $inSegment: 'trial' }, asObject, true],
    ['not in, entry false', { $inSegment: 'lapsed' }, asObject, false],
    ['not in, entry null', { $inSegment: 'gone' }, asObject, false],
    ['not in, absent key', { $inSegment: 'churned' }, asObject, false],
    ['an inherited key is no membership', { $inSegment: 'toString' }, asObject, false],
    ['in, array of keys', { $inSegment: 'vip' }, asArray, true],
    ['not in, array of keys', { $inSegment: 'churned' }, asArray, false],
    ['no segments at all', { $inSegment: 'vip' }, {}, false],
    ['$notInSegment, member', { $notInSegment: 'vip' }, asArray, false],
    ['$notInSegment, not a member', { $notInSegment: 'churned' }, asObject, true],
    ['$notInSegment, no segments', { $notInSegment: 'vip' }, {}, true],
    [
      'combined with a path',
      { $inSegment: 'vip', 'traits.plan': 'pro' },
      { ...asArray, traits: { plan: 'pro' } },
      true,
    ],
    ['inside $or', { $or: [{ $inSegment: 'churned' }, { $inSegment: 'trial' }] }, asArray, true],
  ];
  it.each(CASES)('%s', (_name, condition, context, expected) => {
    expect(compileCondition(condition)(context)).toBe(expected);
  });
});

describe('behaviour: $performed', () => {
  const history = memoryBehaviourSource([
    { event: 'Pricing Viewed', timestamp: NOW - 2 * DAY, properties: { plan: 'team' } },
    { event: 'Pricing Viewed', timestamp: NOW - 3 * DAY, properties: { plan: 'pro' } },
    { event: 'Pricing Viewed', timestamp: NOW - 20 * DAY, properties: { plan: 'pro' } },
    { event: 'Order Completed', timestamp: NOW - 40 * DAY, properties: { total: 120, items: ['A1', 'B2'] } },
    { event: 'Signed Up', timestamp: Date.parse('2026-01-10T09:00:00Z') },
  ]);
  const CASES: [name: string, performed: Record<string, unknown>, expected: boolean][] = [
    ['at least once by default', { event: 'Pricing Viewed' }, true],
    ['an event never seen', { event: 'Demo Booked' }, false],
    ['count as an exact number', { event: 'Pricing Viewed', count: 3 }, true],
    ['count exact, wrong', { event: 'Pricing Viewed', count: 2 }, false],
    ['count with an operator', { event: 'Pricing Viewed', count: { $gte: 2 } }, true],
    ['within a window', { event: 'Pricing Viewed', within: '7d', count: { $gte: 2 } }, true],
    ['within a window, too few', { event: 'Pricing Viewed', within: '7d', count: { $gte: 3 } }, false],
    ['within excludes older events', { event: 'Order Completed', within: '30d' }, false],
    ['where filters properties', { event: 'Pricing Viewed', where: { plan: 'pro' }, count: 2 }, true],
    [
      'where with operators',
      { event: 'Order Completed', where: { total: { $gte: 100 }, items: { $in: ['A1'] } } },
      true,
    ],
    ['where and within', { event: 'Pricing Viewed', where: { plan: 'pro' }, within: '7d', count: 1 }, true],
    ['where misses', { event: 'Order Completed', where: { total: { $gt: 500 } } }, false],
    ['never, true', { event: 'Demo Booked', never: true }, true],
    ['never, false', { event: 'Pricing Viewed', never: true }, false],
    ['never within a window', { event: 'Order Completed', within: '30d', never: true }, true],
    [
      'between instants (ISO)',
      { event: 'Signed Up', between: ['2026-01-01T00:00:00Z', '2026-01-31T00:00:00Z'] },
      true,
    ],
    [
      'between instants, outside',
      { event: 'Signed Up', between: ['2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'] },
      false,
    ],
    ['between epoch ms', { event: 'Order Completed', between: [NOW - 41 * DAY, NOW - 39 * DAY] }, true],
    ['between durations ago', { event: 'Pricing Viewed', between: ['30d', '7d'] }, true],
    ['between durations ago, empty', { event: 'Pricing Viewed', between: ['14d', '7d'] }, false],
  ];
  it.each(CASES)('%s', (_name, performed, expected) => {
    expect(compileCondition({ $performed: performed })({}, NOW, history)).toBe(expected);
  });

  it('does not match, even `never`, when no history is given', () => {
    expect(compileCondition({ $performed: { event: 'Pricing Viewed' } })({}, NOW)).toBe(false);
    expect(compileCondition({ $performed: { event: 'Demo Booked', never: true } })({}, NOW)).toBe(false);
  });

  it('asks the source with the compiled query and a window relative to now', () => {
    const queries: BehaviourQuery[] = [];
    const spy = {
      count: (query: BehaviourQuery): number => {
        queries.push(query);
        return 0;
      },
    };
    const fixed = compileCondition({ $performed: { event: 'A', where: { plan: 'pro' } } });
    fixed({}, NOW, spy);
    fixed({}, NOW, spy);
    compileCondition({ $performed: { event: 'B', within: '7d' } })({}, NOW, spy);
    expect(queries[0]).toBe(queries[1]);
    expect(queries[0]?.event).toBe('A');
    expect(queries[0]?.where?.({ plan: 'pro' })).toBe(true);
    expect(queries[0]?.where?.({ plan: 'free' })).toBe(false);
    expect(queries[2]).toEqual({ event: 'B', since: NOW - 7 * DAY, until: NOW });
  });
});

describe('conditionReads', () => {
  it('lists paths, events, segments and whether time alone can change the answer', () => {
    const reads = conditionReads({
      'context.location.city': 'Bangalore',
      $or: [{ 'traits.plan': { $in: ['pro'] } }, { 'computed.orders': { $gte: 3 } }],
      'traits.orders': { $elemMatch: { sku: 'A1' } },
      $not: { $inSegment: 'churned' },
      $performed: { event: 'Pricing Viewed', where: { plan: 'pro' } },
    });
    expect(reads).toEqual({
      paths: ['computed.orders', 'context.location.city', 'segments', 'traits.orders', 'traits.plan'],
      events: ['Pricing Viewed'],
      segments: ['churned'],
      usesTime: false,
      thresholds: { 'computed.orders': [3] },
      ages: {},
      performed: [{ event: 'Pricing Viewed', where: expect.any(Function), window: { kind: 'all' } }],
    });
  });

  it('records the numbers and durations profile paths are compared with, for timers', () => {
    const reads = conditionReads({
      'scores.intent': { $gte: 40, $lt: 80 },
      $or: [{ 'scores.intent': 10 }, { last_seen: { $olderThan: '30d' } }],
      'traits.tags': { $elemMatch: { $gt: 5 } },
      $performed: { event: 'A', where: { value: { $gt: 7 } } },
    });
    // Items of traits.tags are compared with 5 too; the $performed where reads an event, not the profile.
    expect(reads.thresholds).toEqual({ 'scores.intent': [10, 40, 80], 'traits.tags': [5] });
    // $olderThan holds only once strictly older: it flips one ms after the duration.
    expect(reads.ages).toEqual({ last_seen: [30 * DAY + 1] });
    expect(conditionReads({ last_seen: { $newerThan: '1d' } }).ages).toEqual({ last_seen: [DAY] });
    expect(reads.performed).toEqual([{ event: 'A', where: expect.any(Function), window: { kind: 'all' } }]);
    expect(conditionReads({ $performed: { event: 'B', within: '7d' } }).performed[0]?.window).toEqual({
      kind: 'within',
      ms: 7 * DAY,
    });
  });

  it.each([
    [{ 'traits.last_seen': { $olderThan: '30d' } }],
    [{ $performed: { event: 'A', within: '7d' } }],
    [{ $performed: { event: 'A', between: ['2026-01-01', '2026-02-01'] } }],
  ])('marks %j as time-dependent', (condition) => {
    expect(conditionReads(condition).usesTime).toBe(true);
  });
});
