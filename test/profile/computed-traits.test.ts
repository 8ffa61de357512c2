import { describe, expect, it } from 'vitest';
import { fakeClock } from '../../src/clock.ts';
import type { LoggedEvent } from '../../src/ingest/event.ts';
import { DISTINCT_CAP } from '../../src/profile/computed/accumulators.ts';
import { compileComputedTraits } from '../../src/profile/computed/compile-computed-traits.ts';
import type { ComputedTraitDef } from '../../src/profile/computed/computed-trait.ts';
import type { ComputedValue } from '../../src/profile/computed/scalar.ts';
import { toProfileView } from '../../src/profile/profile-view.ts';
import { DAY, event, HOUR, profileOf, seededRandom, shuffled, T0, trait } from './profile-fixtures.ts';

/** The value of one computed trait after the events, at time `now`. */
function computedAfter(
  def: ComputedTraitDef,
  events: LoggedEvent[],
  now = T0 + DAY,
): ComputedValue | undefined {
  const compiled = compileComputedTraits([def]);
  return toProfileView({ profile: profileOf(events, compiled), compiled, now }).computed[def.key];
}

const order = (revenue: unknown, at = T0, extra: Partial<LoggedEvent> = {}): LoggedEvent =>
  event({ event: 'Order Completed', timestamp: at, properties: { revenue }, ...extra });

describe('computed trait aggregates', () => {
  const orders = [
    order(100, T0 + 3 * HOUR),
    order(20, T0 + HOUR),
    order('30.5', T0 + 2 * HOUR),
    order('n/a', T0),
  ];
  const channel = (value: unknown, at: number) =>
    event({ event: 'Message Clicked', timestamp: at, properties: { channel: value } });
  const clicks = [
    channel('email', T0),
    channel('whatsapp', T0 + HOUR),
    channel('email', T0 + 2 * HOUR),
    channel('whatsapp', T0 + 3 * HOUR),
    channel('sms', T0 + 4 * HOUR),
  ];

  it.each<[string, ComputedTraitDef, LoggedEvent[], ComputedValue]>([
    ['count', trait({ key: 't', aggregate: 'count', events: ['Order Completed'] }), orders, 4],
    ['count of nothing', trait({ key: 't', aggregate: 'count', events: ['Order Completed'] }), [], 0],
    [
      'count with a property counts events that have it',
      trait({ key: 't', aggregate: 'count', property: 'properties.coupon' }),
      [order(1, T0, { properties: { coupon: 'X' } }), order(2)],
      1,
    ],
    [
      'sum ignores non-numeric values',
      trait({ key: 't', aggregate: 'sum', property: 'properties.revenue' }),
      orders,
      150.5,
    ],
    ['sum of nothing', trait({ key: 't', aggregate: 'sum', property: 'properties.revenue' }), [], 0],
    ['min', trait({ key: 't', aggregate: 'min', property: 'properties.revenue' }), orders, 20],
    ['max', trait({ key: 't', aggregate: 'max', property: 'properties.revenue' }), orders, 100],
    ['min of nothing', trait({ key: 't', aggregate: 'min', property: 'properties.revenue' }), [], null],
    ['avg', trait({ key: 't', aggregate: 'avg', property: 'properties.revenue' }), orders, 150.5 / 3],
    [
      'avg of nothing',
      trait({ key: 't', aggregate: 'avg', property: 'properties.revenue' }),
      [order('x')],
      null,
    ],
    [
      'first is the earliest event, not the first applied',
      trait({ key: 't', aggregate: 'first', property: 'properties.revenue' }),
      orders,
      'n/a',
    ],
    [
      'last is the latest event, not the last applied',
      trait({ key: 't', aggregate: 'last', property: 'properties.revenue' }),
      orders,
      100,
    ],
    [
      'distinct_count',
      trait({
        key: 't',
        aggregate: 'distinct_count',
        events: ['Message Clicked'],
        property: 'properties.channel',
      }),
      clicks,
      3,
    ],
    [
      'distinct_count tells 1 from "1"',
      trait({ key: 't', aggregate: 'distinct_count', property: 'properties.revenue' }),
      [order(1), order('1'), order(1)],
      2,
    ],
    [
      'most_frequent: a tie goes to the most recent',
      trait({ key: 't', aggregate: 'most_frequent', property: 'properties.channel' }),
      clicks,
      'whatsapp',
    ],
    [
      'most_frequent keeps the value type',
      trait({ key: 't', aggregate: 'most_frequent', property: 'properties.revenue' }),
      [order(5), order(5), order('5')],
      5,
    ],
    [
      'objects at the property are ignored',
      trait({ key: 't', aggregate: 'last', property: 'properties.revenue' }),
      [order({ a: 1 })],
      null,
    ],
  ])('%s', (_name, def, events, expected) => {
    expect(computedAfter(def, events)).toEqual(expected);
  });

  it('caps distinct_count at DISTINCT_CAP values', () => {
    const def = trait({ key: 't', aggregate: 'distinct_count', property: 'properties.revenue' });
    const many = Array.from({ length: DISTINCT_CAP + 50 }, (_, i) => order(i, T0 + i));
    expect(computedAfter(def, many)).toBe(DISTINCT_CAP);
  });

  it('reads values anywhere in the event, by a dotted path', () => {
    const def = trait({ key: 't', aggregate: 'last', property: 'context.campaign.source' });
    expect(computedAfter(def, [event({ context: { campaign: { source: 'newsletter' } } })])).toBe(
      'newsletter',
    );
    const proto = trait({ key: 't', aggregate: 'count', property: 'properties.constructor' });
    expect(computedAfter(proto, [event()])).toBe(0);
  });

  it('matches page and screen events by name, and only the event types listed', () => {
    const def = trait({ key: 't', aggregate: 'count', eventTypes: ['page', 'screen'], events: ['Pricing'] });
    const events = [
      event({ type: 'page', name: 'Pricing' }),
      event({ type: 'screen', name: 'Pricing' }),
      event({ type: 'page', name: 'Home' }),
      event({ type: 'track', event: 'Pricing' }),
    ];
    expect(computedAfter(def, events)).toBe(2);
  });
});

describe('computed trait filters', () => {
  const events = [
    order(100, T0, {
      properties: { revenue: 100, currency: 'INR', coupon: 'WELCOME', placedAt: '2026-01-01' },
    }),
    order(200, T0, { properties: { revenue: 200, currency: 'USD', placedAt: '2026-02-01' } }),
    order(300, T0, { properties: { revenue: '300', currency: 'INR', coupon: null } }),
  ];
  it.each<[string, ComputedTraitDef['where'], number]>([
    ['equality', { 'properties.currency': 'INR' }, 400],
    ['null equals missing', { 'properties.coupon': null }, 500],
    ['$eq', { 'properties.currency': { $eq: 'USD' } }, 200],
    ['$ne holds for other values', { 'properties.currency': { $ne: 'USD' } }, 400],
    ['$in', { 'properties.currency': { $in: ['USD', 'EUR'] } }, 200],
    ['$nin', { 'properties.currency': { $nin: ['USD', 'EUR'] } }, 400],
    ['$gt on numbers and numeric strings', { 'properties.revenue': { $gt: 150 } }, 500],
    ['$gte with $lt together', { 'properties.revenue': { $gte: 100, $lt: 300 } }, 300],
    ['$lte', { 'properties.revenue': { $lte: 100 } }, 100],
    ['string comparison (ISO dates)', { 'properties.placedAt': { $gte: '2026-01-15' } }, 200],
    ['$exists true', { 'properties.coupon': { $exists: true } }, 100],
    ['$exists false', { 'properties.coupon': { $exists: false } }, 500],
    ['several filters all hold', { 'properties.currency': 'INR', 'properties.revenue': { $gt: 150 } }, 300],
    ['a filter on a missing path fails', { 'context.channel': 'web' }, 0],
  ])('%s', (_name, where, expected) => {
    const def = trait({
      key: 't',
      aggregate: 'sum',
      property: 'properties.revenue',
      events: ['Order Completed'],
      ...(where ? { where } : {}),
    });
    expect(computedAfter(def, events)).toBe(expected);
  });
});

describe('computed trait windows', () => {
  it('expires a 7d window as the clock moves, with no new events', () => {
    const clock = fakeClock(T0);
    const def = trait({
      key: 'orders_7d',
      aggregate: 'count',
      events: ['Order Completed'],
      windowMs: 7 * DAY,
    });
    const compiled = compileComputedTraits([def]);
    const profile = profileOf([order(1, T0), order(1, T0 + 3 * DAY)], compiled);
    const at = () => toProfileView({ profile, compiled, now: clock.now() }).computed['orders_7d'];
    clock.set(T0 + 3 * DAY);
    expect(at()).toBe(2);
    clock.set(T0 + 8 * DAY);
    expect(at()).toBe(1);
    clock.set(T0 + 11 * DAY);
    expect(at()).toBe(0);
  });

  it('keeps a 30d sum and lets it expire bucket by bucket', () => {
    const def = trait({ key: 'r', aggregate: 'sum', property: 'properties.revenue', windowMs: 30 * DAY });
    const events = [order(10, T0), order(20, T0 + 10 * DAY), order(30, T0 + 20 * DAY)];
    expect(computedAfter(def, events, T0 + 20 * DAY)).toBe(60);
    expect(computedAfter(def, events, T0 + 32 * DAY)).toBe(50);
    expect(computedAfter(def, events, T0 + 42 * DAY)).toBe(30);
    expect(computedAfter(def, events, T0 + 52 * DAY)).toBe(0);
  });

  it('counts an event up to one bucket (1/30 of the window) past its window, never less than the window', () => {
    const def = trait({ key: 'c', aggregate: 'count', windowMs: 30 * DAY });
    const events = [order(1, T0 + 5 * HOUR)];
    expect(computedAfter(def, events, T0 + 5 * HOUR + 30 * DAY - 1)).toBe(1);
    expect(computedAfter(def, events, T0 + 5 * HOUR + 31 * DAY)).toBe(0);
  });

  it('windows first, last, min, max and most_frequent too', () => {
    const window = { windowMs: 7 * DAY, property: 'properties.revenue' };
    const events = [
      order(5, T0),
      order(9, T0 + 5 * DAY),
      order(7, T0 + 6 * DAY),
      order(9, T0 + 6 * DAY + HOUR),
    ];
    const now = T0 + 9 * DAY;
    expect(computedAfter(trait({ key: 't', aggregate: 'first', ...window }), events, now)).toBe(9);
    expect(computedAfter(trait({ key: 't', aggregate: 'min', ...window }), events, now)).toBe(7);
    expect(computedAfter(trait({ key: 't', aggregate: 'max', ...window }), events, T0 + 13 * DAY)).toBe(9);
    expect(computedAfter(trait({ key: 't', aggregate: 'most_frequent', ...window }), events, now)).toBe(9);
    expect(
      computedAfter(trait({ key: 't', aggregate: 'last', ...window }), events, T0 + 20 * DAY),
    ).toBeNull();
  });

  it('drops buckets that left the window relative to the latest event, and ignores events older than it', () => {
    const def = trait({ key: 'c', aggregate: 'count', windowMs: 7 * DAY });
    const compiled = compileComputedTraits([def]);
    const profile = profileOf([order(1, T0), order(1, T0 + 30 * DAY), order(1, T0 + DAY)], compiled);
    const state = profile.computed['c'];
    expect(Object.keys(state?.['b'] ?? {})).toHaveLength(1);
    expect(toProfileView({ profile, compiled, now: T0 + 30 * DAY }).computed['c']).toBe(1);
  });

  it('counts a late event that is still inside the window', () => {
    const def = trait({ key: 'c', aggregate: 'sum', property: 'properties.revenue', windowMs: 7 * DAY });
    expect(computedAfter(def, [order(1, T0 + 6 * DAY), order(2, T0 + DAY)], T0 + 6 * DAY)).toBe(3);
  });
});

describe('computed traits and event order', () => {
  const defs = [
    trait({ key: 'count', aggregate: 'count' }),
    trait({ key: 'sum_30d', aggregate: 'sum', property: 'properties.revenue', windowMs: 30 * DAY }),
    trait({ key: 'first', aggregate: 'first', property: 'properties.revenue' }),
    trait({ key: 'last_7d', aggregate: 'last', property: 'properties.revenue', windowMs: 7 * DAY }),
    trait({ key: 'distinct', aggregate: 'distinct_count', property: 'properties.sku' }),
    trait({ key: 'top', aggregate: 'most_frequent', property: 'properties.sku', windowMs: 2 * DAY }),
    trait({ key: 'avg', aggregate: 'avg', property: 'properties.revenue' }),
  ];

  it('gives the same state whatever order the events arrive in, equal times included', () => {
    const random = seededRandom(7);
    const events = Array.from({ length: 200 }, () =>
      order(Math.floor(random() * 100), T0 + Math.floor(random() * 60) * DAY, {
        properties: { revenue: Math.floor(random() * 100), sku: `sku-${Math.floor(random() * 8)}` },
      }),
    );
    const compiled = compileComputedTraits(defs);
    const inOrder = profileOf(events, compiled);
    for (let round = 0; round < 5; round++) {
      const other = profileOf(shuffled(events, random), compiled);
      expect(other.computed).toEqual(inOrder.computed);
    }
  });
});

describe('compileComputedTraits index', () => {
  it('visits only the traits that can match an event type and name', () => {
    const compiled = compileComputedTraits([
      trait({ key: 'orders', aggregate: 'count', events: ['Order Completed'] }),
      trait({ key: 'refunds', aggregate: 'count', events: ['Order Refunded', 'Order Completed'] }),
      trait({ key: 'pages', aggregate: 'count', eventTypes: ['page'] }),
      trait({ key: 'any_track', aggregate: 'count' }),
    ]);
    const track = compiled.named.get('track');
    expect(track?.get('Order Completed')?.map((t) => t.key)).toEqual(['orders', 'refunds']);
    expect(track?.get('Page Viewed')).toBeUndefined();
    expect(compiled.unnamed.get('track')?.map((t) => t.key)).toEqual(['any_track']);
    expect(compiled.unnamed.get('page')?.map((t) => t.key)).toEqual(['pages']);
    expect(compiled.named.get('page')).toBeUndefined();
  });

  it('does not evaluate a trait for an event it is not indexed under', () => {
    const compiled = compileComputedTraits([
      trait({ key: 'orders', aggregate: 'count', events: ['Order Completed'], where: { 'properties.x': 1 } }),
    ]);
    const profile = profileOf([event({ event: 'Page Viewed', properties: { x: 1 } })], compiled);
    expect(profile.computed).toEqual({});
    expect(compiled.named.get('track')?.size).toBe(1);
  });
});
