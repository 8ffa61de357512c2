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
