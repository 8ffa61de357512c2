import { describe, expect, it } from 'vitest';
import { compileDecisions } from '../../src/decide/compile-decisions.ts';
import { decidePlacements } from '../../src/decide/decide-placements.ts';
import { decisions, NOW, personContext, SCORES, SEED_PLACEMENTS } from './decision-fixtures.ts';

const compiled = compileDecisions(decisions({ placements: SEED_PLACEMENTS }));

describe('placements: the first variant whose condition holds', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown> | undefined, string, unknown]>([
    [
      'a visitor in Bangalore gets the Bangalore offer',
      { location: { city: 'Bangalore' } },
      undefined,
      'bangalore_offer',
      { title: 'Bangalore special', cta: { label: 'Shop now', url: '/blr' } },
    ],
    [
      'a visitor elsewhere gets the default',
      { location: { city: 'Mumbai' } },
      undefined,
      'default',
      { title: 'Welcome there' },
    ],
    ['a request without a location gets the default', {}, undefined, 'default', { title: 'Welcome there' }],
    [
      'a known person elsewhere gets the default with their name',
      { location: { city: 'Delhi' } },
      personContext({ traits: { first_name: 'Asha' } }),
      'default',
      { title: 'Welcome Asha' },
    ],
    [
      'a known person in Bangalore still gets the Bangalore offer',
      { location: { city: 'Bangalore' } },
      personContext({ traits: { first_name: 'Asha' } }),
      'bangalore_offer',
      { title: 'Bangalore special', cta: { label: 'Shop now', url: '/blr' } },
    ],
  ])('%s', (_name, request, profile, variant, content) => {
    const result = decidePlacements({
      compiled,
      keys: ['home_banner'],
      context: request,
      profile: profile === undefined ? undefined : { id: 'prf_1', context: profile },
      now: NOW,
      trace: false,
    });
    expect(result['home_banner']).toEqual({ variant, content });
  });

  it.each<[string, Record<string, number>, string | null, unknown]>([
    [
      'new_customer gets the welcome discount',
      { new_customer: NOW - 1000 },
      'welcome_discount',
      { code: 'WELCOME10' },
    ],
    [
      'repeat_customer gets the loyalty offer',
      { repeat_customer: NOW - 1000 },
      'loyalty_offer',
      { code: 'LOYAL15' },
    ],
    [
      'both: the first variant wins',
      { repeat_customer: 1, new_customer: 2 },
      'welcome_discount',
      { code: 'WELCOME10' },
    ],
    ['neither and no default: nothing', {}, null, null],
  ])('%s', (_name, segments, variant, content) => {
    const result = decidePlacements({
      compiled,
      keys: ['offer_slot'],
      context: {},
      profile: { id: 'prf_1', context: personContext({ segments }) },
      now: NOW,
      trace: false,
    });
    expect(result['offer_slot']).toEqual({ variant, content });
  });

  it('decides several keys at once and flags an unknown one', () => {
    const result = decidePlacements({
      compiled,
      keys: ['home_banner', 'nope'],
      context: { location: { city: 'Bangalore' } },
      now: NOW,
      trace: false,
    });
    expect(result['home_banner']?.variant).toBe('bangalore_offer');
    expect(result['nope']).toEqual({ variant: null, content: null, unknown: true });
  });

  it('traces each variant tried, with the values a failed condition read', () => {
    const result = decidePlacements({
      compiled,
      keys: ['home_banner'],
      context: { location: { city: 'Pune' } },
      now: NOW,
      trace: true,
    });
    expect(result['home_banner']?.trace).toEqual([
      { variant: 'bangalore_offer', holds: false, reads: { 'context.location.city': 'Pune' } },
      { variant: 'default', holds: true },
    ]);
    expect(result['home_banner']?.renderErrors).toEqual([]);
  });

  it('renders score labels and the profile id in templates', () => {
    const labelled = compileDecisions(
      decisions({
        placements: [
          {
            key: 'p',
            variants: [
              {
                key: 'v',
                content: {
                  text: '{{ profile.id }} {{ profile.scores.intent.label }} {{ profile.scores.intent.value }}',
                },
              },
            ],
          },
        ],
      }),
    );
    const result = decidePlacements({
      compiled: labelled,
      keys: ['p'],
      context: {},
      profile: { id: 'prf_9', context: personContext({ scores: { intent: 75 } }) },
      scores: SCORES,
      now: NOW,
      trace: false,
    });
    expect(result['p']?.content).toEqual({ text: 'prf_9 high 75' });
  });
});
