import { describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../../src/ingest/event.ts';
import { applyEvent } from '../../src/profile/apply-event.ts';
import { compileComputedTraits } from '../../src/profile/computed/compile-computed-traits.ts';
import { newProfile } from '../../src/profile/new-profile.ts';
import { toProfileView } from '../../src/profile/profile-view.ts';
import { DAY, event, HOUR, MINUTE, profileOf, seededRandom, shuffled, T0 } from './profile-fixtures.ts';

const identify = (traits: Record<string, unknown>, timestamp: number) =>
  event({ type: 'identify', traits, timestamp });

describe('traits', () => {
  it('keeps the value of the latest event per trait, whatever the arrival order', () => {
    const events = [
      identify({ plan: 'free', city: 'Pune' }, T0),
      identify({ plan: 'pro' }, T0 + 2 * HOUR),
      event({
        event: 'Plan Viewed',
        context: { traits: { plan: 'trial', email: 'p@example.com' } },
        timestamp: T0 + HOUR,
      }),
    ];
    const expected = {
      plan: { value: 'pro', at: T0 + 2 * HOUR },
      city: { value: 'Pune', at: T0 },
      email: { value: 'p@example.com', at: T0 + HOUR },
    };
    expect(profileOf(events).traits).toEqual(expected);
    expect(profileOf([...events].reverse()).traits).toEqual(expected);
  });

  it('lets an event at the same time overwrite, and ignores group traits and prototype keys', () => {
    const events = [
      identify({ plan: 'free' }, T0),
      identify({ plan: 'pro' }, T0),
      event({ type: 'group', groupId: 'acme', traits: { plan: 'enterprise' }, timestamp: T0 + HOUR }),
      identify(JSON.parse('{"__proto__": {"polluted": true}, "constructor": "c"}'), T0),
    ];
    const profile = profileOf(events);
    expect(profile.traits['plan']).toEqual({ value: 'pro', at: T0 });
    expect(profile.traits['constructor']).toEqual({ value: 'c', at: T0 });
    expect(Object.getPrototypeOf(profile.traits)).toBe(Object.prototype);
    expect(Object.keys(profile.traits)).toEqual(['plan', 'constructor']);
  });
});

describe('identifiers, times and counts', () => {
  it('adds identifiers once, in first-seen order, and keeps first/last seen as min/max event time', () => {
    const profile = newProfile({ id: 'p', workspaceId: 'ws', at: T0 + DAY });
    const apply = (e: LoggedEvent, identifiers: { type: string; value: string }[]) =>
      applyEvent({ profile, event: e, identifiers, compiled: compileComputedTraits([]), recentLimit: 5 });
    apply(event({ timestamp: T0 + DAY }), [{ type: 'anonymous_id', value: 'a1' }]);
    apply(event({ timestamp: T0 }), [
      { type: 'user_id', value: 'u1' },
      { type: 'anonymous_id', value: 'a1' },
    ]);
    apply(event({ timestamp: T0 + 2 * DAY }), [{ type: 'anonymous_id', value: 'a2' }]);
    expect(profile.identifiers).toEqual({ anonymous_id: ['a1', 'a2'], user_id: ['u1'] });
    expect([profile.firstSeen, profile.lastSeen, profile.eventCount]).toEqual([T0, T0 + 2 * DAY, 3]);
  });
});

describe('recent events', () => {
  it('keeps the newest events first, capped, deduplicated by message id, ties ordered by message id', () => {
    const events = [
      event({ messageId: 'b', event: 'Second', timestamp: T0 + MINUTE, properties: { x: 1 } }),
      event({ messageId: 'a', event: 'Tie low', timestamp: T0 + 2 * MINUTE }),
      event({ messageId: 'c', event: 'Tie high', timestamp: T0 + 2 * MINUTE }),
      event({ messageId: 'd', type: 'page', name: 'Home', timestamp: T0 }),
      event({ messageId: 'e', event: 'Newest', timestamp: T0 + 3 * MINUTE }),
    ];
    const random = seededRandom(3);
    for (let round = 0; round < 5; round++) {
      const shuffledEvents = shuffled(events, random);
      const profile = profileOf([...shuffledEvents, shuffledEvents[0] ?? events[0]!], undefined, {
        recentLimit: 4,
      });
      expect(profile.recent.map((r) => r.messageId)).toEqual(['e', 'c', 'a', 'b']);
    }
    const profile = profileOf(events, undefined, { recentLimit: 4 });
    expect(profile.recent[3]).toEqual({
      messageId: 'b',
      type: 'track',
      name: 'Second',
      timestamp: T0 + MINUTE,
      properties: { x: 1 },
    });
  });
});

describe('consent', () => {
  it.each<[string, Record<string, unknown>, Record<string, boolean>]>([
    [
      'Segment categoryPreferences',
      { categoryPreferences: { Email: true, 'email.marketing': false, whatsapp: true } },
      { email: true, 'email.marketing': false, whatsapp: true },
    ],
    ['a plain map', { email: true, sms: false }, { email: true, sms: false }],
    ['non-boolean preferences are ignored', { email: 'yes', push: true }, { push: true }],
  ])('reads context.consent as %s', (_name, consent, expected) => {
    const profile = profileOf([event({ context: { consent }, timestamp: T0 })]);
    const granted = Object.fromEntries(Object.entries(profile.consent).map(([k, v]) => [k, v.granted]));
    expect(granted).toEqual(expected);
    expect(Object.values(profile.consent).every((c) => c.source === 'context.consent' && c.at === T0)).toBe(
      true,
    );
  });

  it('reads Subscribed / Unsubscribed events with channel and purpose; the newer event time wins', () => {
    const events = [
      event({ event: 'Subscribed', properties: { channel: 'WhatsApp' }, timestamp: T0 }),
      event({
        event: 'Channel Unsubscribed',
        properties: { channel: 'whatsapp', purpose: 'marketing' },
        timestamp: T0 + HOUR,
      }),
      event({ event: 'Unsubscribed', properties: { channel: 'email' }, timestamp: T0 + 2 * HOUR }),
      event({ context: { consent: { email: true } }, timestamp: T0 + HOUR }),
      event({ event: 'Subscribed', properties: {}, timestamp: T0 + 3 * HOUR }),
    ];
    const expected = {
      whatsapp: { granted: true, at: T0, source: 'Subscribed' },
      'whatsapp.marketing': { granted: false, at: T0 + HOUR, source: 'Channel Unsubscribed' },
      email: { granted: false, at: T0 + 2 * HOUR, source: 'Unsubscribed' },
    };
    expect(profileOf(events).consent).toEqual(expected);
    expect(profileOf([...events].reverse()).consent).toEqual(expected);
  });
});

describe('first and last touch', () => {
  const utm = (source: string, timestamp: number, messageId: string) =>
    event({
      messageId,
      type: 'page',
      timestamp,
      context: {
        campaign: { source, medium: 'cpc' },
        page: { url: `https://shop.example/?utm_source=${source}` },
        userAgent: 'Mozilla/5.0',
        locale: 'en-IN',
        timezone: 'Asia/Kolkata',
        ip: '203.0.113.7',
      },
    });

  it('takes the earliest and latest events that carry campaign, referrer, page url or location', () => {
    const events = [
      utm('google', T0 + HOUR, 'm2'),
      event({
        messageId: 'm0',
        timestamp: T0,
        context: { userAgent: 'no attribution', page: { title: 'no url' } },
      }),
      utm('newsletter', T0 + 3 * HOUR, 'm4'),
      event({
        messageId: 'm3',
        timestamp: T0 + 2 * HOUR,
        context: { referrer: { type: 'link', url: 'https://blog.example' } },
      }),
      event({ messageId: 'm5', timestamp: T0 + 4 * HOUR, context: { campaign: {} } }),
    ];
    for (const order of [events, [...events].reverse()]) {
      const profile = profileOf(order);
      expect(profile.firstTouch).toEqual({
        at: T0 + HOUR,
        messageId: 'm2',
        campaign: { source: 'google', medium: 'cpc' },
        page: { url: 'https://shop.example/?utm_source=google' },
        userAgent: 'Mozilla/5.0',
        locale: 'en-IN',
        timezone: 'Asia/Kolkata',
        ip: '203.0.113.7',
      });
      expect(profile.lastTouch?.messageId).toBe('m4');
    }
  });

  it('orders touches at the same time by message id', () => {
    const events = [utm('b', T0, 'm-b'), utm('a', T0, 'm-a')];
    for (const order of [events, [...events].reverse()]) {
      const profile = profileOf(order);
      expect([profile.firstTouch?.messageId, profile.lastTouch?.messageId]).toEqual(['m-a', 'm-b']);
    }
  });
});

describe('toProfileView', () => {
  it('shows the profile with snake_case keys, ISO times and computed values at `now`', () => {
    const compiled = compileComputedTraits([
      {
        key: 'orders_7d',
        aggregate: 'count',
        eventTypes: ['track'],
        events: ['Order Completed'],
        windowMs: 7 * DAY,
      },
      { key: 'last_sku', aggregate: 'last', eventTypes: ['track'], property: 'properties.sku' },
    ]);
    const profile = profileOf(
      [
        identify({ name: 'Priya' }, T0),
        event({
          messageId: 'order-1',
          event: 'Order Completed',
          timestamp: T0 + HOUR,
          context: { consent: { email: true }, campaign: { source: 'google' }, userAgent: 'UA' },
        }),
      ],
      compiled,
    );
    profile.mergedIds.push('old');
    const view = toProfileView({ profile, compiled, now: T0 + 10 * DAY });
    expect(view).toMatchObject({
      id: 'p1',
      traits: { name: 'Priya' },
      traits_updated_at: { name: '2026-01-01T00:00:00.000Z' },
      computed: { orders_7d: 0, last_sku: null },
      consent: { email: { granted: true, at: '2026-01-01T01:00:00.000Z', source: 'context.consent' } },
      first_seen: '2026-01-01T00:00:00.000Z',
      last_seen: '2026-01-01T01:00:00.000Z',
      first_touch: {
        at: '2026-01-01T01:00:00.000Z',
        message_id: 'order-1',
        campaign: { source: 'google' },
        user_agent: 'UA',
      },
      merged_ids: ['old'],
      event_count: 2,
    });
    expect(view.recent_events[0]).toEqual({
      message_id: 'order-1',
      type: 'track',
      name: 'Order Completed',
      timestamp: '2026-01-01T01:00:00.000Z',
    });
    expect(toProfileView({ profile, compiled, now: T0 + 2 * DAY }).computed['orders_7d']).toBe(1);
    expect(toProfileView({ profile: profileOf([]), compiled, now: T0 }).first_touch).toBeNull();
  });
});
