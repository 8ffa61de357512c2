import { describe, expect, it } from 'vitest';
import { compileLifecycle, type LifecycleDef, lifecycleStage } from '../../src/intent/lifecycle.ts';
import { compileComputedTraits } from '../../src/profile/computed/compile-computed-traits.ts';
import { profileContext } from '../../src/profile/profile-context.ts';
import { toProfileView } from '../../src/profile/profile-view.ts';
import { DAY, event, T0 } from '../profile/profile-fixtures.ts';
import { thrownTailorError } from '../support/thrown.ts';
import { compiledOf, INTENT, scoredProfile } from './score-fixtures.ts';

/** The stages of the demo workspace. */
const STAGES: LifecycleDef = {
  stages: [
    { key: 'customer', when: { 'computed.orders': { $gte: 1 } } },
    {
      key: 'high_intent_lead',
      when: { 'scores.intent': { $gte: 60 }, 'identifiers.email': { $exists: true } },
    },
    { key: 'lead', when: { 'identifiers.email': { $exists: true } } },
    { key: 'visitor' },
  ],
};

/** A context shaped like `profileContext`'s, with only what a case sets. */
function context(fields: { orders?: number; intent?: number; email?: string[] }): Record<string, unknown> {
  return {
    traits: {},
    computed: { orders: fields.orders ?? 0 },
    scores: { intent: fields.intent ?? 0 },
    identifiers: fields.email === undefined ? {} : { email: fields.email },
    consent: {},
  };
}

describe('lifecycle stage: the first stage whose condition holds', () => {
  const compiled = compileLifecycle(STAGES);
  it.each<[string, Record<string, unknown>, string]>([
    [
      'a buyer is a customer whatever else holds',
      context({ orders: 2, intent: 90, email: ['a@x.in'] }),
      'customer',
    ],
    ['a buyer without an email is still a customer', context({ orders: 1 }), 'customer'],
    ['high intent with an email', context({ intent: 75, email: ['a@x.in'] }), 'high_intent_lead'],
    ['intent exactly at the threshold', context({ intent: 60, email: ['a@x.in'] }), 'high_intent_lead'],
    ['intent just below the threshold is a lead', context({ intent: 59.99, email: ['a@x.in'] }), 'lead'],
    ['high intent without an email falls through to the default', context({ intent: 90 }), 'visitor'],
    ['nothing known: the default stage', context({}), 'visitor'],
    ['an empty context: the default stage', {}, 'visitor'],
  ])('%s', (_name, ctx, stage) => {
    expect(lifecycleStage({ compiled, context: ctx, now: T0 })).toBe(stage);
  });

  it('is null when no stage holds and there is no default stage', () => {
    const noDefault = compileLifecycle({ stages: STAGES.stages.slice(0, 3) });
    expect(lifecycleStage({ compiled: noDefault, context: context({ intent: 90 }), now: T0 })).toBeNull();
    expect(lifecycleStage({ compiled: noDefault, context: context({ email: ['a@x.in'] }), now: T0 })).toBe(
      'lead',
    );
  });

  it('is null without stages', () => {
    expect(
      lifecycleStage({ compiled: compileLifecycle(undefined), context: context({}), now: T0 }),
    ).toBeNull();
  });

  it('refuses an invalid condition when compiling', () => {
    const error = thrownTailorError(() =>
      compileLifecycle({ stages: [{ key: 'x', when: { 'scores.intent': { $gtt: 1 } } }] }),
    );
    expect(error.code).toBe('INVALID_CONDITION');
  });
});

describe('lifecycle stage read from a profile', () => {
  const computed = compileComputedTraits([
    { key: 'orders', aggregate: 'count', eventTypes: ['track'], events: ['Order Completed'] },
  ]);
  const compiled = compiledOf([INTENT], computed);
  const lifecycle = compileLifecycle(STAGES);
  const replied = (at: number) => event({ event: 'Message Replied', timestamp: at });
  /** 3 replies and a pricing view at T0: intent 75. */
  const hotEvents = () => [
    replied(T0),
    replied(T0),
    replied(T0),
    event({ event: 'Pricing Viewed', timestamp: T0 }),
  ];

  function profileWithEmail(events: ReturnType<typeof hotEvents>) {
    const profile = scoredProfile(events, compiled);
    profile.identifiers.email = ['meera@example.com'];
    return profile;
  }

  it('tests identifiers.email, a list of addresses in the profile context, with $exists', () => {
    const profile = profileWithEmail([]);
    const ctx = profileContext({ profile, compiled: computed, now: T0, scores: compiled.scores });
    expect(ctx.identifiers).toEqual({ email: ['meera@example.com'] });
    expect(lifecycleStage({ compiled: lifecycle, context: ctx, now: T0 })).toBe('lead');
    const anonymous = scoredProfile([], compiled);
    const anonymousCtx = profileContext({
      profile: anonymous,
      compiled: computed,
      now: T0,
      scores: compiled.scores,
    });
    expect(lifecycleStage({ compiled: lifecycle, context: anonymousCtx, now: T0 })).toBe('visitor');
  });

  it.each<[string, number, number, string]>([
    ['right after the signals', 0, 75, 'high_intent_lead'],
    ['a day later: still above 60', DAY, 67.93, 'high_intent_lead'],
    ['a week later the score has halved: back to lead', 7 * DAY, 37.5, 'lead'],
  ])('follows decaying intent: %s', (_name, after, value, stage) => {
    const view = toProfileView({
      profile: profileWithEmail(hotEvents()),
      compiled: computed,
      scores: compiled.scores,
      lifecycle,
      now: T0 + after,
    });
    expect(view.scores.intent?.value).toBe(value);
    expect(view.lifecycle_stage).toBe(stage);
  });

  it('becomes customer with an order, and a view without stages shows null', () => {
    const profile = profileWithEmail([...hotEvents(), event({ event: 'Order Completed', timestamp: T0 })]);
    const input = { profile, compiled: computed, scores: compiled.scores, now: T0 + 30 * DAY };
    expect(toProfileView({ ...input, lifecycle }).lifecycle_stage).toBe('customer');
    expect(toProfileView(input).lifecycle_stage).toBeNull();
  });
});
