import { seededRandom } from '../test/support/seeded-random.ts';

/**
 * A deterministic, realistic event mix for the benchmarks: visitors browse anonymously (page),
 * shop (track) and sometimes log in (identify with email and phone), spread over a set of
 * people. The same seed always gives the same events.
 */

const PAGES = ['/', '/shoes', '/shoes/runner-2', '/cart', '/checkout', '/blog/summer'];
const CATEGORIES = ['shoes', 'bags', 'watches', 'shirts'];
const CHANNELS = ['email', 'whatsapp', 'sms', 'web'];
const TRACKS = [
  'Product Viewed',
  'Product Added',
  'Order Completed',
  'Message Clicked',
  'Message Replied',
  'Checkout Started',
];

/** Generates Segment-spec call bodies (as clients send them) for `people` distinct people. */
export function workload(input: {
  people: number;
  seed?: number;
  start?: number;
}): () => Record<string, unknown> {
  const next = seededRandom(input.seed ?? 7);
  const start = input.start ?? Date.parse('2026-11-01T00:00:00Z');
  let n = 0;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  return () => {
    n += 1;
    const person = Math.floor(next() * input.people);
    const timestamp = new Date(start + n * 50).toISOString();
    const anonymousId = `anon-${person}`;
    const context = { channel: pick(CHANNELS), locale: 'en-IN', page: { path: pick(PAGES) } };
    const roll = next();
    if (roll < 0.1) {
      return {
        type: 'identify',
        anonymousId,
        userId: `user-${person}`,
        traits: { email: `person${person}@example.com`, plan: pick(['free', 'pro']), city: 'Bangalore' },
        timestamp,
        context,
      };
    }
    if (roll < 0.4) {
      return {
        type: 'page',
        anonymousId,
        name: pick(PAGES),
        properties: { path: pick(PAGES) },
        timestamp,
        context,
      };
    }
    const event = pick(TRACKS);
    return {
      type: 'track',
      anonymousId,
      event,
      properties: {
        revenue: Math.round(next() * 5000) / 100,
        category: pick(CATEGORIES),
        channel: pick(CHANNELS),
        product_id: `p-${Math.floor(next() * 500)}`,
      },
      timestamp,
      context,
    };
  };
}

/** A workspace file with 20 computed traits of every aggregate, windows and filters. */
export function benchWorkspaceYaml(id: string): string {
  const traits = [
    ['orders', 'count', 'Order Completed', undefined, undefined],
    ['orders_7d', 'count', 'Order Completed', undefined, '7d'],
    ['lifetime_value', 'sum', 'Order Completed', 'properties.revenue', undefined],
    ['revenue_30d', 'sum', 'Order Completed', 'properties.revenue', '30d'],
    ['avg_order_value', 'avg', 'Order Completed', 'properties.revenue', undefined],
    ['max_order_value', 'max', 'Order Completed', 'properties.revenue', undefined],
    ['min_order_value', 'min', 'Order Completed', 'properties.revenue', undefined],
    ['first_category', 'first', 'Product Viewed', 'properties.category', undefined],
    ['last_category', 'last', 'Product Viewed', 'properties.category', undefined],
    ['categories_viewed', 'distinct_count', 'Product Viewed', 'properties.category', undefined],
    ['favourite_category', 'most_frequent', 'Product Viewed', 'properties.category', undefined],
    ['products_viewed_7d', 'count', 'Product Viewed', undefined, '7d'],
    ['cart_adds', 'count', 'Product Added', undefined, undefined],
    ['cart_adds_7d', 'count', 'Product Added', undefined, '7d'],
    ['cart_value_7d', 'sum', 'Product Added', 'properties.revenue', '7d'],
    ['checkouts_30d', 'count', 'Checkout Started', undefined, '30d'],
    ['preferred_channel', 'most_frequent', 'Message Clicked', 'properties.channel', undefined],
    ['replies_30d', 'count', 'Message Replied', undefined, '30d'],
    ['last_reply_channel', 'last', 'Message Replied', 'properties.channel', undefined],
    ['distinct_products', 'distinct_count', 'Product Viewed', 'properties.product_id', '30d'],
  ] as const;
  const lines = traits.map(([key, aggregate, event, property, window]) =>
    [
      `  - key: ${key}`,
      `    aggregate: ${aggregate}`,
      `    events: [${event}]`,
      property ? `    property: ${property}` : '',
      window ? `    window: ${window}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  );
  return `workspace:\n  id: ${id}\n  name: Bench ${id}\nidentity:\n  default_country: IN\ncomputed_traits:\n${lines.join('\n')}\n`;
}

/** What the segments of `segmentWorkspaceYaml` beyond the first five read. */
export type OtherSegmentReads = 'other-events' | 'traits';

/** Computed traits and scores on events the workload never sends, the same in every segment workspace. */
const OTHER_TRAITS = 50;
const OTHER_SCORES = 10;
/** Distinct event names the `$performed` segments on other events read. */
const OTHER_PERFORMED = 300;

/**
 * A workspace for the segment scaling benchmark: the 20 computed traits of `benchWorkspaceYaml`,
 * 50 computed traits and 10 decaying scores on events the workload never sends (the same in
 * every variant), and `segments` segments. The first five read what the workload sends
 * (computed traits on orders, views and cart adds, `$performed` on `Product Added` and
 * `Checkout Started`); the others read, with `other-events`, a mix of `$performed` (half within
 * 30 days), computed traits and scores on other events, or, with `traits`, profile traits
 * (`traits.plan`, `traits.city`), which every identify can change.
 */
export function segmentWorkspaceYaml(input: {
  id: string;
  segments: number;
  reads: OtherSegmentReads;
}): string {
  const otherEvent = (n: number): string => `Other Event ${n}`;
  const traits = Array.from({ length: OTHER_TRAITS }, (_, i) =>
    [
      `  - key: other_trait_${i}`,
      '    aggregate: count',
      `    events: [${otherEvent(i)}]`,
      i % 2 === 0 ? '    window: 30d' : '',
    ]
      .filter(Boolean)
      .join('\n'),
  );
  const scores = Array.from({ length: OTHER_SCORES }, (_, i) =>
    [
      `  - key: other_score_${i}`,
      '    half_life: 7d',
      '    rules:',
      `      - event: ${otherEvent(OTHER_TRAITS + i)}`,
      `        points: ${10 + i}`,
    ].join('\n'),
  );
  const relevant: unknown[] = [
    { 'computed.orders': { $gte: 1 } },
    { $performed: { event: 'Product Added', within: '7d' } },
    { 'computed.products_viewed_7d': { $gte: 3 } },
    { $performed: { event: 'Checkout Started' } },
    { 'computed.favourite_category': 'shoes' },
  ];
  const other = (i: number): unknown => {
    if (input.reads === 'traits')
      return {
        'traits.plan': i % 2 === 0 ? 'pro' : 'free',
        'traits.city': i % 100 === 0 ? 'Bangalore' : `City ${i}`,
      };
    if (i % 3 === 0) {
      const event = otherEvent(OTHER_TRAITS + OTHER_SCORES + ((i / 3) % OTHER_PERFORMED));
      return { $performed: i % 2 === 0 ? { event, within: '30d' } : { event } };
    }
    if (i % 3 === 1) return { [`computed.other_trait_${i % OTHER_TRAITS}`]: { $gte: 1 + (i % 5) } };
    return { [`scores.other_score_${i % OTHER_SCORES}`]: { $gte: 10 + (i % 50) } };
  };
  const segments = Array.from({ length: input.segments }, (_, i) => {
    const when = i < relevant.length ? relevant[i] : other(i - relevant.length);
    return `  - key: segment_${i}\n    when: ${JSON.stringify(when)}`;
  });
  return [
    benchWorkspaceYaml(input.id).trimEnd(),
    ...traits,
    'scores:',
    ...scores,
    'segments:',
    ...segments,
    '',
  ].join('\n');
}
