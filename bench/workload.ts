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

/** Cities the decide benchmark's people live in and its requests come from. */
export const DECIDE_CITIES = ['Bangalore', 'Mumbai', 'Delhi', 'Chennai', 'Pune', 'Hyderabad'] as const;
/** Placements in `decideWorkspaceYaml`. */
export const DECIDE_PLACEMENTS = 20;
/** Actions in `decideWorkspaceYaml`. */
export const DECIDE_ACTIONS = 50;
const FIRST_NAMES = ['Asha', 'Ravi', 'Meera', 'Arjun', 'Kavya', 'Rohan', 'Divya', 'Kiran'];
const CAMPAIGNS = ['diwali', 'monsoon', 'retarget', 'newsletter'];
const DAY_MS = 86_400_000;
/** Liquid the decide content uses: the person's first name and favourite category, with fallbacks. */
const NAME = "{{ profile.traits.first_name | default: 'there' }}";
const FAVOURITE = "{{ profile.computed.favourite_category | default: 'our picks' }}";

/** The key of decide placement `n`. */
export function decidePlacementKey(n: number): string {
  return `placement_${n}`;
}

/**
 * The Segment context of a decide request: where the visitor is (`location.city`), the page and
 * sometimes a campaign, as a browser or app sends it. No time zone: quiet hours are read in the
 * policy's default zone.
 */
export function decideRequestContext(next: () => number): Record<string, unknown> {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const context: Record<string, unknown> = {
    location: { city: pick(DECIDE_CITIES), country: 'India' },
    page: { path: pick(PAGES) },
  };
  if (next() < 0.3) context['campaign'] = { name: pick(CAMPAIGNS) };
  return context;
}

/**
 * The events of one person of the decide benchmark, as Segment call bodies with event times in
 * the 20 days before `now`: an identify (`userId` `user-<n>`, first name, plan, city, email,
 * a phone for most), product views, sometimes cart adds, checkouts and orders, and for some a
 * message sent and clicked long enough ago that no contact cap applies. The same `person`
 * always gives the same events.
 */
export function decidePersonEvents(person: number, now: number): Record<string, unknown>[] {
  const next = seededRandom(person * 7919 + 13);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const userId = `user-${person}`;
  const anonymousId = `anon-${person}`;
  let at = now - 20 * DAY_MS + Math.floor(next() * 5 * DAY_MS);
  const step = (): string => {
    at += Math.floor(next() * 2 * DAY_MS);
    return new Date(Math.min(at, now - 60_000)).toISOString();
  };
  const traits: Record<string, unknown> = {
    email: `person${person}@example.com`,
    first_name: pick(FIRST_NAMES),
    plan: pick(['free', 'free', 'pro']),
    city: pick(DECIDE_CITIES),
  };
  if (next() < 0.7) traits['phone'] = `+9198${String(person).padStart(8, '0')}`;
  const calls: Record<string, unknown>[] = [
    { type: 'identify', userId, anonymousId, traits, timestamp: step() },
  ];
  const track = (event: string, properties: Record<string, unknown>): void => {
    calls.push({ type: 'track', userId, anonymousId, event, properties, timestamp: step() });
  };
  const category = pick(CATEGORIES);
  const views = 1 + Math.floor(next() * 4);
  for (let i = 0; i < views; i += 1)
    track('Product Viewed', {
      category: next() < 0.7 ? category : pick(CATEGORIES),
      product_id: `p-${Math.floor(next() * 500)}`,
      revenue: Math.round(next() * 5000) / 100,
    });
  if (next() < 0.5) track('Product Added', { category, revenue: Math.round(next() * 5000) / 100 });
  if (next() < 0.3) track('Checkout Started', { category, revenue: Math.round(next() * 8000) / 100 });
  if (next() < 0.25) track('Order Completed', { category, revenue: Math.round(next() * 8000) / 100 });
  if (next() < 0.3) {
    const channel = pick(['email', 'whatsapp', 'sms']);
    track('Message Sent', { channel, action: `action_${Math.floor(next() * DECIDE_ACTIONS)}` });
    if (next() < 0.5) track('Message Clicked', { channel });
  }
  return calls;
}

/** `HH:MM` of `minute` minutes after midnight, wrapping at 24 hours. */
function clockTime(minute: number): string {
  const wrapped = ((minute % 1440) + 1440) % 1440;
  return `${String(Math.floor(wrapped / 60)).padStart(2, '0')}:${String(wrapped % 60).padStart(2, '0')}`;
}

/** What the decide benchmark's actions and placements learn by, when they learn. */
export const DECIDE_PREDICTORS = ['traits.plan', 'context.location.city'] as const;

/**
 * The decide benchmark's workspace: the 20 computed traits of `benchWorkspaceYaml`, two
 * decaying scores, lifecycle stages, five segments, `DECIDE_PLACEMENTS` placements of five
 * variants and `DECIDE_ACTIONS` actions. Conditions read traits, computed traits, scores,
 * segments, the lifecycle stage and the request (`context.location.city`, `context.page.path`,
 * `context.campaign.name`); every content string is Liquid with two variables. The contact
 * policy has caps, suppression and quiet hours (Asia/Kolkata) set to start three hours after
 * `now`, so they do not apply during the run, and a 5% holdout. With `learn`, every action and
 * every placement (`strategy: learn`) has a goal (`Order Completed` within 7d) and learns per
 * plan and city (`DECIDE_PREDICTORS`).
 */
export function decideWorkspaceYaml(input: { id: string; now: number; learn?: boolean }): string {
  const kolkataMinute = Math.floor((input.now + 330 * 60_000) / 60_000) % 1440;
  const scores = [
    'scores:',
    '  - key: intent',
    '    half_life: 7d',
    '    max: 100',
    '    rules:',
    '      - { event: Product Viewed, points: 5 }',
    '      - { event: Product Added, points: 15 }',
    '      - { event: Checkout Started, points: 25 }',
    '    labels: { high: 60, medium: 30, low: 0 }',
    '  - key: engagement',
    '    half_life: 14d',
    '    rules:',
    '      - { event: Message Clicked, points: 20 }',
    '      - { event: Order Completed, points: 10 }',
    'lifecycle:',
    '  stages:',
    '    - { key: customer, when: { computed.orders: { $gte: 1 } } }',
    '    - { key: lead, when: { identifiers.email: { $exists: true } } }',
    '    - { key: visitor }',
    'segments:',
    '  - { key: big_spenders, when: { computed.lifetime_value: { $gte: 50 } } }',
    '  - { key: cart_abandoners, when: { computed.cart_adds_7d: { $gte: 1 }, computed.orders_7d: 0 } }',
    '  - { key: high_intent, when: { scores.intent: { $gte: 30 } } }',
    '  - { key: recent_checkout, when: { $performed: { event: Checkout Started, within: 7d } } }',
    '  - { key: whatsapp_fans, when: { computed.preferred_channel: whatsapp } }',
  ];
  const segments = ['big_spenders', 'cart_abandoners', 'high_intent', 'recent_checkout', 'whatsapp_fans'];
  const placements = ['placements:'];
  for (let n = 0; n < DECIDE_PLACEMENTS; n += 1) {
    const city = DECIDE_CITIES[n % DECIDE_CITIES.length] ?? 'Bangalore';
    const category = CATEGORIES[n % CATEGORIES.length] ?? 'shoes';
    placements.push(
      `  - key: ${decidePlacementKey(n)}`,
      ...(input.learn === true
        ? [
            '    strategy: learn',
            '    goal: { event: Order Completed, within: 7d }',
            `    predictors: [${DECIDE_PREDICTORS.join(', ')}]`,
          ]
        : []),
      '    variants:',
      `      - key: local_${n}`,
      `        when: { context.location.city: ${city}, $inSegment: ${segments[n % segments.length]} }`,
      `        content: { title: "${city} offer for ${NAME}", body: "Delivery to {{ context.location.city }} today" }`,
      `      - key: category_${n}`,
      `        when: { computed.favourite_category: ${category}, scores.intent: { $gte: ${10 + (n % 5) * 10} } }`,
      `        content: { title: "More {{ profile.computed.favourite_category }}", body: "Hi ${NAME}, new in" }`,
      `      - key: pro_${n}`,
      `        when: { traits.plan: pro, lifecycle_stage: customer }`,
      `        content: { title: "Thanks, ${NAME}", body: "{{ profile.computed.orders }} orders so far" }`,
      `      - key: campaign_${n}`,
      `        when: { context.campaign.name: { $in: [diwali, monsoon] } }`,
      `        content: { title: "{{ context.campaign.name | capitalize }} sale", body: "Hi ${NAME}" }`,
      '      - key: default',
      `        content: { title: "Welcome ${NAME}", body: "Shop {{ context.location.city | default: 'online' }}" }`,
    );
  }
  const channelSets = [['whatsapp', 'email'], ['email'], ['sms', 'email'], ['push', 'in_app'], ['in_app']];
  const gates = [
    ['applicability', '{ computed.cart_adds_7d: { $gte: 1 } }'],
    ['applicability', '{ scores.intent: { $gte: 20 } }'],
    ['eligibility', '{ traits.plan: free }'],
    ['applicability', `{ $inSegment: recent_checkout }`],
    ['applicability', '{ context.page.path: { $in: [/cart, /checkout] } }'],
    ['eligibility', '{ computed.orders: { $gte: 1 } }'],
    ['applicability', '{ scores.engagement: { $gte: 5 } }'],
  ] as const;
  const actions = ['actions:'];
  for (let n = 0; n < DECIDE_ACTIONS; n += 1) {
    const channels = channelSets[n % channelSets.length] ?? ['email'];
    const [gate, condition] = gates[n % gates.length] ?? gates[0];
    const city = DECIDE_CITIES[n % DECIDE_CITIES.length] ?? 'Bangalore';
    actions.push(
      `  - key: action_${n}`,
      `    channels: [${channels.join(', ')}]`,
      '    content:',
      ...channels.map((channel) => `      ${channel}: { text: "Hi ${NAME}, offer ${n} on ${FAVOURITE}" }`),
      `    value: ${10 + ((n * 37) % 190)}`,
      `    propensity: ${(0.05 + ((n * 13) % 90) / 100).toFixed(2)}`,
      `    ${gate}: ${condition}`,
      n % 2 === 0 ? '    suitability: { lifecycle_stage: { $ne: visitor } }' : '',
      `    context_weights: [{ when: { context.location.city: ${city} }, weight: 1.5 }]`,
      n % 3 === 0 ? '    cooldown: 24h' : '',
      input.learn === true ? '    goal: { event: Order Completed, within: 7d }' : '',
      input.learn === true ? `    predictors: [${DECIDE_PREDICTORS.join(', ')}]` : '',
    );
  }
  const quietStart = clockTime(kolkataMinute + 180);
  const quietEnd = clockTime(kolkataMinute + 300);
  const policy = [
    'contact_policy:',
    '  caps:',
    '    - { channel: whatsapp, max: 1, per: 1d }',
    '    - { max: 3, per: 7d }',
    '  suppress_after_ignored: 3',
    `  quiet_hours: { start: "${quietStart}", end: "${quietEnd}", default_timezone: Asia/Kolkata }`,
    'holdout: { percent: 5, salt: bench }',
  ];
  return [
    benchWorkspaceYaml(input.id).trimEnd(),
    ...scores,
    ...placements,
    ...actions.filter(Boolean),
    ...policy,
    '',
  ].join('\n');
}

/** The event the activation benchmark's decision trigger fires on. */
export const ACTIVATION_TRIGGER_EVENT = 'Cart Reminder Requested';

/**
 * The activation benchmark's person `n`: a user id and an Indian mobile number (E.164; the
 * WhatsApp API reads it as digits only). `n` must be below 10^8 for the numbers to be distinct.
 */
export function activationPerson(n: number): { userId: string; phone: string; digits: string } {
  const national = `98${String(n).padStart(8, '0')}`;
  return { userId: `act-${n}`, phone: `+91${national}`, digits: `91${national}` };
}

/** The identify that gives person `n` a phone number, a first name and WhatsApp consent. */
export function activationIdentify(n: number): Record<string, unknown> {
  const person = activationPerson(n);
  return {
    type: 'identify',
    userId: person.userId,
    traits: { phone: person.phone, first_name: `Person ${n}` },
    context: { consent: { categoryPreferences: { whatsapp: true } } },
  };
}

/** The track event that triggers a decision, and so a WhatsApp send, for person `n`. */
export function activationTrack(n: number): Record<string, unknown> {
  return {
    type: 'track',
    userId: activationPerson(n).userId,
    event: ACTIVATION_TRIGGER_EVENT,
    properties: { cart_value: 40 + (n % 60) },
  };
}

/**
 * The activation benchmark's workspace: a computed trait counting `ACTIVATION_TRIGGER_EVENT`,
 * one action on WhatsApp applicable once that count is at least 1 (decision conditions cannot
 * read the event itself), a decision trigger on that event, no contact policy and no holdout,
 * so every trigger decides a send; and `channels.whatsapp` at the local provider `baseUrl`
 * (literal secrets are allowed for a local server), at `ratePerSecond` sends per second.
 */
export function activationWorkspaceYaml(input: {
  id: string;
  baseUrl: string;
  phoneNumberId: string;
  accessToken: string;
  ratePerSecond: number;
}): string {
  return [
    'workspace:',
    `  id: ${input.id}`,
    `  name: Bench ${input.id}`,
    'identity:',
    '  default_country: IN',
    'computed_traits:',
    '  - key: cart_reminders',
    '    aggregate: count',
    `    events: [${ACTIVATION_TRIGGER_EVENT}]`,
    'actions:',
    '  - key: cart_reminder',
    '    channels: [whatsapp]',
    '    content:',
    `      whatsapp: { text: "Hi ${NAME}, your cart is waiting" }`,
    '    value: 10',
    '    applicability: { computed.cart_reminders: { $gte: 1 } }',
    'decision_triggers:',
    `  - event: ${ACTIVATION_TRIGGER_EVENT}`,
    'channels:',
    '  whatsapp:',
    `    base_url: ${input.baseUrl}`,
    `    phone_number_id: "${input.phoneNumberId}"`,
    `    access_token: ${input.accessToken}`,
    '    app_secret: bench-whatsapp-app-secret',
    '    verify_token: bench-whatsapp-verify-token',
    `    rate_per_second: ${input.ratePerSecond}`,
    '',
  ].join('\n');
}

/** The event that starts a run of the journeys benchmark's journey. */
export const JOURNEY_TRIGGER_EVENT = 'Trial Started';

/**
 * The journeys benchmark's workspace: with `journey`, one journey started by
 * `JOURNEY_TRIGGER_EVENT` that waits 1 hour, sets `traits.nudged`, waits 1 hour more and
 * completes (no decisions, no sends, so no outbox); without, the same file minus the journey
 * (the baseline). Both hold one segment on an event never sent (`Trial Converted`, no window),
 * as when the figures in docs/performance.md were taken (the engine then fired timers only for
 * workspaces with an audience).
 */
export function journeyWorkspaceYaml(input: { id: string; journey: boolean }): string {
  return [
    'workspace:',
    `  id: ${input.id}`,
    `  name: Bench ${input.id}`,
    'segments:',
    '  - key: trial_converted',
    '    when:',
    '      $performed: { event: Trial Converted }',
    ...(input.journey
      ? [
          'journeys:',
          '  - key: trial_nudge',
          `    trigger: { event: ${JOURNEY_TRIGGER_EVENT} }`,
          '    steps:',
          '      - { key: first_wait, wait: 1h }',
          '      - { key: nudge, update: { traits: { nudged: true } } }',
          '      - { key: second_wait, wait: 1h }',
        ]
      : []),
    '',
  ].join('\n');
}
