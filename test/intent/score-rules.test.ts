import { describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../../src/ingest/event.ts';
import type { CompiledScoreRule, CompiledScores } from '../../src/intent/compile-scores.ts';
import type { ScoreModelDef } from '../../src/intent/score-model.ts';
import { compileComputedTraits } from '../../src/profile/computed/compile-computed-traits.ts';
import { newProfile } from '../../src/profile/new-profile.ts';
import { profileContext } from '../../src/profile/profile-context.ts';
import { updateScores } from '../../src/profile/update-scores.ts';
import { DAY, event, T0, trait } from '../profile/profile-fixtures.ts';
import { compiledOf, INTENT, rule, scoredProfile } from './score-fixtures.ts';

const orders = compileComputedTraits([
  trait({ key: 'orders', aggregate: 'count', events: ['Order Completed'] }),
]);
const points = (def: ScoreModelDef, events: LoggedEvent[]) =>
  scoredProfile(events, compiledOf([def], orders)).scores?.[def.key]?.v ?? 0;
const score = (...rules: ScoreModelDef['rules']): ScoreModelDef => ({ key: 's', rules, labels: [] });

describe('where: conditions on the event', () => {
  it.each<[string, ScoreModelDef['rules'][number], LoggedEvent, number]>([
    [
      'a property comparison holds',
      rule({ event: 'Product Added', where: { 'properties.price': { $gte: 1000 } }, points: 5 }),
      event({ event: 'Product Added', properties: { price: 1500 } }),
      5,
    ],
    [
      'a property comparison fails',
      rule({ event: 'Product Added', where: { 'properties.price': { $gte: 1000 } }, points: 5 }),
      event({ event: 'Product Added', properties: { price: 200 } }),
      0,
    ],
    [
      'the request context',
      rule({ where: { 'context.channel': 'whatsapp' }, points: 3 }),
      event({ event: 'Message Clicked', context: { channel: 'whatsapp' } }),
      3,
    ],
    [
      'the event itself',
      rule({ eventTypes: ['page', 'screen'], where: { 'event.type': 'screen' }, points: 2 }),
      event({ type: 'screen', name: 'Home' }),
      2,
    ],
  ])('%s', (_name, scoreRule, e, expected) => {
    expect(points(score(scoreRule), [e])).toBe(expected);
  });
});

describe('where: conditions on the profile', () => {
  const firstPurchaseIntent = score(
    rule({ event: 'Product Viewed', where: { 'computed.orders': 0 }, points: 10 }),
    rule({ event: 'Product Viewed', where: { 'traits.plan': 'pro' }, points: 1 }),
  );

  it('counts only while computed.orders is 0', () => {
    const events = [
      event({ event: 'Product Viewed', timestamp: T0 }),
      event({ event: 'Product Viewed', timestamp: T0 + 1 }),
      event({ event: 'Order Completed', timestamp: T0 + 2 }),
      event({ event: 'Product Viewed', timestamp: T0 + 3 }),
    ];
    expect(points(firstPurchaseIntent, events)).toBe(20);
  });

  it('reads traits set by identify', () => {
    const events = [
      event({ type: 'identify', traits: { plan: 'pro' }, timestamp: T0 }),
      event({ event: 'Product Viewed', timestamp: T0 + 1 }),
    ];
    expect(points(firstPurchaseIntent, events)).toBe(11);
  });

  it('reads other scores as they stood before the event', () => {
    const boosted: ScoreModelDef = {
      key: 'boost',
      rules: [rule({ event: 'Pricing Viewed', where: { 'scores.intent': { $gt: 10 } }, points: 1 })],
      labels: [],
    };
    const compiled = compiledOf([INTENT, boosted]);
    const views = [0, 1, 2].map((i) => event({ event: 'Pricing Viewed', timestamp: T0 + i }));
    expect(scoredProfile(views, compiled).scores?.['boost']?.v).toBe(2);
  });

  it('builds the profile context only for conditions that read it', () => {
    const profile = newProfile({ id: 'p', workspaceId: 'ws', at: T0 });
    Object.defineProperty(profile, 'traits', {
      get() {
        throw new Error('the profile context was built');
      },
    });
    const onEvent = compiledOf([score(rule({ where: { 'properties.total': { $gt: 1 } }, points: 1 }))]);
    const e = event({ event: 'Order Completed', properties: { total: 5 } });
    updateScores({ profile, event: e, compiled: onEvent.scores, computed: onEvent.computed });
    expect(profile.scores?.['s']).toEqual({ v: 1, at: e.timestamp });
    const onProfile = compiledOf([score(rule({ where: { 'traits.plan': 'pro' }, points: 1 }))]);
    expect(() =>
      updateScores({ profile, event: e, compiled: onProfile.scores, computed: onProfile.computed }),
    ).toThrow(/profile context was built/);
  });
});

describe('profileContext', () => {
  it('shows the profile as conditions read it, valued at now', () => {
    const compiled = compiledOf([INTENT], orders);
    const profile = scoredProfile(
      [
        event({
          type: 'identify',
          traits: { plan: 'pro' },
          context: { consent: { email: true } },
          timestamp: T0,
        }),
        event({ event: 'Order Completed', timestamp: T0 }),
        event({ event: 'Message Replied', timestamp: T0 }),
      ],
      compiled,
    );
    const context = profileContext({ profile, compiled: orders, scores: compiled.scores, now: T0 + 7 * DAY });
    expect(context).toMatchObject({
      traits: { plan: 'pro' },
      computed: { orders: 1 },
      scores: { intent: 10 },
      first_seen: T0,
      last_seen: T0,
    });
    expect(profileContext({ profile, compiled: orders, now: T0 })['scores']).toEqual({});
  });
});

describe('the rule index', () => {
  /** The compiled scores with every `where` replaced by one that records its score key and holds. */
  function spied(compiled: CompiledScores, calls: string[]): CompiledScores {
    const spy = (r: CompiledScoreRule): CompiledScoreRule => ({
      ...r,
      where: () => {
        calls.push(r.score.key);
        return true;
      },
    });
    return {
      scores: compiled.scores,
      named: new Map(
        [...compiled.named].map(([type, byName]) => [
          type,
          new Map([...byName].map(([name, rules]) => [name, rules.map(spy)])),
        ]),
      ),
      unnamed: new Map([...compiled.unnamed].map(([type, rules]) => [type, rules.map(spy)])),
    };
  }

  const defs: ScoreModelDef[] = [
    {
      key: 'orders',
      rules: [rule({ event: 'Order Completed', where: { 'properties.total': 1 }, points: 1 })],
      labels: [],
    },
    {
      key: 'pages',
      rules: [rule({ eventTypes: ['page'], where: { 'properties.path': '/' }, points: 1 })],
      labels: [],
    },
  ];

  it.each<[string, LoggedEvent, string[]]>([
    ['Page Viewed visits no Order Completed rule', event({ event: 'Page Viewed' }), []],
    ['a page visits the page rule only', event({ type: 'page', name: 'Order Completed' }), ['pages']],
    ['Order Completed visits its rule', event({ event: 'Order Completed' }), ['orders']],
  ])('%s', (_name, e, expected) => {
    const calls: string[] = [];
    const { scores, computed } = compiledOf(defs);
    const profile = newProfile({ id: 'p', workspaceId: 'ws', at: T0 });
    updateScores({ profile, event: e, compiled: spied(scores, calls), computed });
    expect(calls).toEqual(expected);
  });
});
