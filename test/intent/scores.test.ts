import { describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../../src/ingest/event.ts';
import type { ScoreModelDef } from '../../src/intent/score-model.ts';
import { scoreLabel, scoreValue } from '../../src/intent/score-value.ts';
import { toProfileView } from '../../src/profile/profile-view.ts';
import { DAY, event, HOUR, seededRandom, shuffled, T0 } from '../profile/profile-fixtures.ts';
import { type Compiled, compiledOf, INTENT, rule, scoredProfile } from './score-fixtures.ts';

const pricing = (at: number) => event({ event: 'Pricing Viewed', timestamp: at });
const replied = (at: number) => event({ event: 'Message Replied', timestamp: at });
const unsubscribed = (at: number) => event({ event: 'Unsubscribed', timestamp: at });
const page = (path: string, at: number) =>
  event({ type: 'page', name: 'Page', properties: { path }, timestamp: at });

function scoresAt(events: LoggedEvent[], compiled: Compiled, now: number) {
  const profile = scoredProfile(events, compiled);
  return toProfileView({ profile, compiled: compiled.computed, scores: compiled.scores, now }).scores;
}

describe('scores: events at these times → these values and labels', () => {
  const compiled = compiledOf([INTENT]);
  it.each<[string, () => LoggedEvent[], number, number, string | null]>([
    ['no events: zero, the lowest label', () => [], T0, 0, 'low'],
    ['one pricing view', () => [pricing(T0)], T0, 15, 'low'],
    ['two pricing views and a reply', () => [pricing(T0), pricing(T0), replied(T0)], T0, 50, 'medium'],
    [
      'three replies and a pricing view',
      () => [replied(T0), replied(T0), replied(T0), pricing(T0)],
      T0,
      75,
      'high',
    ],
    ['a pricing view a week ago: halved', () => [pricing(T0)], T0 + 7 * DAY, 7.5, 'low'],
    ['a pricing view a day ago: rounded to two decimals', () => [pricing(T0)], T0 + DAY, 13.59, 'low'],
    ['decayed points plus fresh ones', () => [pricing(T0), pricing(T0 + 7 * DAY)], T0 + 7 * DAY, 22.5, 'low'],
    ['never above max', () => Array.from({ length: 6 }, () => replied(T0)), T0, 100, 'high'],
    ['negative points: below every threshold', () => [unsubscribed(T0)], T0, -30, null],
    ['a pricing page by its path', () => [page('/pricing/team', T0)], T0, 10, 'low'],
    ['another page earns nothing', () => [page('/about', T0)], T0, 0, 'low'],
    [
      'a page named like a track rule does not match it',
      () => [event({ type: 'page', name: 'Pricing Viewed' })],
      T0,
      0,
      'low',
    ],
    [
      'calls without a name earn nothing',
      () => [event({ type: 'identify', traits: { plan: 'pro' } })],
      T0,
      0,
      'low',
    ],
  ])('%s', (_name, events, now, value, label) => {
    expect(scoresAt(events(), compiled, now)).toEqual({ intent: { value, label } });
  });
});

describe('decay', () => {
  it('halves every half-life with no new events, and the label follows the value', () => {
    const compiled = compiledOf([INTENT]);
    const profile = scoredProfile([replied(T0), replied(T0)], compiled);
    const at = (now: number) =>
      toProfileView({ profile, compiled: compiled.computed, scores: compiled.scores, now }).scores['intent'];
    expect(at(T0)).toEqual({ value: 40, label: 'medium' });
    expect(at(T0 + 7 * DAY)).toEqual({ value: 20, label: 'low' });
    expect(at(T0 + 14 * DAY)).toEqual({ value: 10, label: 'low' });
    expect(at(T0 + 70 * DAY)).toEqual({ value: 0.04, label: 'low' });
  });

  it('does not decay without a half-life', () => {
    const { halfLifeMs: _, ...forever } = INTENT;
    const compiled = compiledOf([forever]);
    expect(scoresAt([pricing(T0)], compiled, T0 + 365 * DAY)).toEqual({
      intent: { value: 15, label: 'low' },
    });
  });

  it('does not grow back when read before its latest event', () => {
    const compiled = compiledOf([INTENT]);
    expect(scoresAt([pricing(T0 + 7 * DAY)], compiled, T0)).toEqual({ intent: { value: 15, label: 'low' } });
  });

  it('applies bounds when reading, not when storing', () => {
    const floored: ScoreModelDef = { ...INTENT, halfLifeMs: undefined, min: 0 };
    const compiled = compiledOf([floored]);
    const profile = scoredProfile([unsubscribed(T0), replied(T0 + HOUR)], compiled);
    expect(profile.scores?.['intent']).toEqual({ v: -10, at: T0 + HOUR });
    const score = compiled.scores.scores[0];
    if (score === undefined) throw new Error('no score');
    expect(scoreValue(profile.scores?.['intent'], score, T0 + HOUR)).toBe(0);
    expect(scoreLabel(0, score)).toBe('low');
  });
});

describe('order independence', () => {
  const compiled = compiledOf([
    INTENT,
    {
      key: 'engagement',
      halfLifeMs: 3 * DAY,
      rules: [rule({ points: 1 }), rule({ eventTypes: ['page'], points: 2 })],
      labels: [{ label: 'engaged', min: 5 }],
    },
  ]);
  const random = seededRandom(7);
  const makers = [
    pricing,
    replied,
    unsubscribed,
    (at: number) => page('/pricing', at),
    (at: number) => page('/', at),
  ];
  const events = Array.from({ length: 300 }, () => {
    const make = makers[Math.floor(random() * makers.length)] ?? pricing;
    return make(T0 + Math.floor(random() * 60 * DAY));
  });
  const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp);
  const expected = scoredProfile(sorted, compiled);
  const now = T0 + 61 * DAY;
  const view = (events: LoggedEvent[]) =>
    toProfileView({
      profile: scoredProfile(events, compiled),
      compiled: compiled.computed,
      scores: compiled.scores,
      now,
    }).scores;

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('gives the same scores for shuffle %i', (seed) => {
    const profile = scoredProfile(shuffled(events, seededRandom(seed)), compiled);
    for (const key of ['intent', 'engagement']) {
      expect(profile.scores?.[key]?.at).toBe(expected.scores?.[key]?.at);
      expect(profile.scores?.[key]?.v).toBeCloseTo(expected.scores?.[key]?.v ?? Number.NaN, 9);
    }
    expect(view(shuffled(events, seededRandom(seed)))).toEqual(view(sorted));
  });
});
