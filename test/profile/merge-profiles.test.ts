import { describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../../src/ingest/event.ts';
import { compileScores } from '../../src/intent/compile-scores.ts';
import { applyEvent } from '../../src/profile/apply-event.ts';
import { compileComputedTraits } from '../../src/profile/computed/compile-computed-traits.ts';
import { mergeProfiles } from '../../src/profile/merge-profiles.ts';
import { newProfile } from '../../src/profile/new-profile.ts';
import { toProfileView } from '../../src/profile/profile-view.ts';
import { DAY, event, HOUR, profileOf, seededRandom, T0, trait } from './profile-fixtures.ts';

const NO_SCORES = compileScores([]);

const compiled = compileComputedTraits([
  trait({ key: 'orders', aggregate: 'count', events: ['Order Completed'] }),
  trait({ key: 'revenue', aggregate: 'sum', events: ['Order Completed'], property: 'properties.revenue' }),
  trait({
    key: 'revenue_7d',
    aggregate: 'sum',
    events: ['Order Completed'],
    property: 'properties.revenue',
    windowMs: 7 * DAY,
  }),
  trait({
    key: 'revenue_30d',
    aggregate: 'sum',
    events: ['Order Completed'],
    property: 'properties.revenue',
    windowMs: 30 * DAY,
  }),
  trait({ key: 'min_order', aggregate: 'min', events: ['Order Completed'], property: 'properties.revenue' }),
  trait({
    key: 'max_order_7d',
    aggregate: 'max',
    events: ['Order Completed'],
    property: 'properties.revenue',
    windowMs: 7 * DAY,
  }),
  trait({ key: 'avg_order', aggregate: 'avg', events: ['Order Completed'], property: 'properties.revenue' }),
  trait({ key: 'first_channel', aggregate: 'first', property: 'properties.channel' }),
  trait({ key: 'last_channel_7d', aggregate: 'last', property: 'properties.channel', windowMs: 7 * DAY }),
  trait({ key: 'channels', aggregate: 'distinct_count', property: 'properties.channel' }),
  trait({
    key: 'preferred_channel',
    aggregate: 'most_frequent',
    property: 'properties.channel',
    windowMs: 30 * DAY,
  }),
  trait({
    key: 'big_orders',
    aggregate: 'count',
    events: ['Order Completed'],
    where: { 'properties.revenue': { $gte: 50 } },
  }),
  trait({ key: 'pages', aggregate: 'count', eventTypes: ['page'] }),
]);

const NAMES = ['Order Completed', 'Message Clicked', 'Product Viewed'];
const CHANNELS = ['email', 'whatsapp', 'sms', 'web'];

/** A random event list over ~60 days: orders, clicks, pages, with out-of-order times and ties. */
function randomEvents(random: () => number, length: number): LoggedEvent[] {
  const pick = (items: readonly string[]): string => items[Math.floor(random() * items.length)] ?? '';
  return Array.from({ length }, () => {
    const timestamp = T0 + Math.floor(random() * 60 * 24) * HOUR;
    if (random() < 0.15) return event({ type: 'page', name: 'Pricing', timestamp });
    return event({
      event: pick(NAMES),
      timestamp,
      properties: { revenue: Math.floor(random() * 100), channel: pick(CHANNELS) },
      context: random() < 0.2 ? { campaign: { source: pick(CHANNELS) } } : {},
    });
  });
}

describe('mergeProfiles', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('equals applying every event to one profile (seed %i)', (seed) => {
    const random = seededRandom(seed);
    const events = randomEvents(random, 150);
    const a: LoggedEvent[] = [];
    const b: LoggedEvent[] = [];
    for (const e of events) (random() < 0.5 ? a : b).push(e);

    const single = profileOf(events, compiled, { id: 'one', recentLimit: 10 });
    const into = profileOf(a, compiled, { id: 'one', recentLimit: 10 });
    const from = profileOf(b, compiled, { id: 'two', recentLimit: 10 });
    mergeProfiles({ into, from, compiled, scores: NO_SCORES, recentLimit: 10 });

    expect(into.computed).toEqual(single.computed);
    expect(into.recent).toEqual(single.recent);
    expect(into.firstTouch).toEqual(single.firstTouch);
    expect(into.lastTouch).toEqual(single.lastTouch);
    expect([into.firstSeen, into.lastSeen, into.eventCount]).toEqual([
      single.firstSeen,
      single.lastSeen,
      single.eventCount,
    ]);
    for (const now of [T0 + 20 * DAY, T0 + 61 * DAY, T0 + 80 * DAY, T0 + 200 * DAY]) {
      const merged = toProfileView({ profile: into, compiled, now }).computed;
      expect(merged).toEqual(toProfileView({ profile: single, compiled, now }).computed);
    }
    expect(into.mergedIds).toEqual(['two']);
  });

  it('keeps the later trait and consent, unions identifiers and carries merged ids along', () => {
    const profile = (id: string) => newProfile({ id, workspaceId: 'ws', at: T0 });
    const into = profile('a');
    const from = profile('b');
    from.mergedIds.push('c');
    const identify = (traits: Record<string, unknown>, timestamp: number) =>
      event({ type: 'identify', traits, timestamp });
    const apply = (p: typeof into, e: LoggedEvent, identifiers: { type: string; value: string }[] = []) =>
      applyEvent({ profile: p, event: e, identifiers, compiled, recentLimit: 5 });
    apply(into, identify({ plan: 'pro', name: 'Priya' }, T0 + HOUR), [{ type: 'user_id', value: 'u1' }]);
    apply(from, identify({ plan: 'free', city: 'Pune' }, T0), [
      { type: 'anonymous_id', value: 'anon' },
      { type: 'user_id', value: 'u1' },
    ]);
    apply(from, event({ event: 'Unsubscribed', properties: { channel: 'email' }, timestamp: T0 + 2 * HOUR }));
    apply(into, event({ context: { consent: { email: true } }, timestamp: T0 + HOUR }));

    mergeProfiles({ into, from, compiled, scores: NO_SCORES, recentLimit: 5 });
    expect(into.identifiers).toEqual({ user_id: ['u1'], anonymous_id: ['anon'] });
    expect(into.traits).toEqual({
      plan: { value: 'pro', at: T0 + HOUR },
      name: { value: 'Priya', at: T0 + HOUR },
      city: { value: 'Pune', at: T0 },
    });
    expect(into.consent['email']).toEqual({ granted: false, at: T0 + 2 * HOUR, source: 'Unsubscribed' });
    expect(into.mergedIds).toEqual(['b', 'c']);
    expect(into.eventCount).toBe(4);
  });
});
