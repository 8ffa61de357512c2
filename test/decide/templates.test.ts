import { describe, expect, it } from 'vitest';
import { compileDecisions, validateDecisions } from '../../src/decide/compile-decisions.ts';
import { compileContent } from '../../src/decide/compiled-content.ts';
import { templateScope } from '../../src/decide/decision-context.ts';
import { renderContent } from '../../src/decide/render-content.ts';
import type { ErrorDetail } from '../../src/errors.ts';
import { thrownTailorError } from '../support/thrown.ts';
import { action, decisions, personContext } from './decision-fixtures.ts';

/** Compiles one content object and renders it for a person with `traits`. */
function render(content: Record<string, unknown>, traits: Record<string, unknown>) {
  const issues: ErrorDetail[] = [];
  const compiled = compileContent(content, 'content', issues, 'text');
  expect(issues).toEqual([]);
  return renderContent(compiled, templateScope({ id: 'prf_1', profile: personContext({ traits }) }));
}

describe('content templates', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>, unknown]>([
    [
      'a trait that is set',
      { title: 'Hi {{ profile.traits.first_name | default: "there" }}' },
      { first_name: 'Asha' },
      { title: 'Hi Asha' },
    ],
    [
      'a trait that is missing takes the default',
      { title: 'Hi {{ profile.traits.first_name | default: "there" }}' },
      {},
      { title: 'Hi there' },
    ],
    [
      'a missing value without a default renders empty',
      { title: 'Hi {{ profile.traits.nick }}!' },
      {},
      { title: 'Hi !' },
    ],
    [
      'nested objects and arrays are walked; other values are kept',
      { hero: { lines: ['{{ profile.traits.city }}', 'plain'], n: 3, on: true, none: null } },
      { city: 'Pune' },
      { hero: { lines: ['Pune', 'plain'], n: 3, on: true, none: null } },
    ],
    [
      'tags and filters',
      { text: '{% if profile.traits.vip %}VIP {% endif %}{{ profile.traits.first_name | upcase }}' },
      { vip: true, first_name: 'ravi' },
      { text: 'VIP RAVI' },
    ],
  ])('%s', (_name, content, traits, expected) => {
    expect(render(content, traits)).toEqual({ content: expected, errors: [] });
  });

  it('renders a field that fails as empty and reports it, leaving the others', () => {
    const result = render(
      { title: 'ok', body: '{% for i in (1..profile.traits.n) %}x{% endfor %}' },
      { n: 1_000_000_000 },
    );
    expect(result.content).toEqual({ title: 'ok', body: '' });
    expect(result.errors).toEqual([{ path: 'content.body', message: expect.stringContaining('limit') }]);
  });

  it('does not read files for include', () => {
    const result = render({ body: '{% include "secrets" %}' }, {});
    expect(result.content).toEqual({ body: '' });
    expect(result.errors).toHaveLength(1);
  });
});

describe('compiling decisions', () => {
  it('lists every bad template and condition with its path', () => {
    const def = decisions({
      placements: [
        { key: 'ok', variants: [{ key: 'v', content: { title: 'fine' } }] },
        {
          key: 'bad',
          variants: [
            { key: 'v', when: { 'traits.age': { $gt: [1] } }, content: { title: '{{ x | nosuch }}' } },
            { key: 'w', content: { items: ['{{ x'] } },
          ],
        },
      ],
      actions: [
        action({
          key: 'a',
          eligibility: { 'traits.age': { $gt: [1] } },
          contextWeights: [{ when: { $bogus: 1 }, weight: 2 }],
          channels: ['email', 'sms'],
          content: { email: { subject: '{% if %}' } },
        }),
      ],
    });
    const error = thrownTailorError(() => compileDecisions(def));
    expect(error.code).toBe('INVALID_DECISIONS');
    expect(error.details.map((detail) => detail.path)).toEqual([
      'placements[1].variants[0].when.traits.age.$gt',
      'placements[1].variants[0].content.title',
      'placements[1].variants[1].content.items[0]',
      'actions[0].content.email.subject',
      'actions[0].content.sms',
      'actions[0].eligibility.traits.age.$gt',
      'actions[0].contextWeights[0].when.$bogus',
    ]);
    expect(error.details[1]?.message).toContain('undefined filter: nosuch');
    expect(error.message).toMatch(
      /^Invalid decisions: placements\[1\]\.variants\[0\]\.when\.traits\.age\.\$gt .*\(and 6 more problems\)$/,
    );
    expect(validateDecisions(def)).toEqual(error.details);
  });

  it.each<[string, Partial<Parameters<typeof decisions>[0]>, string]>([
    [
      'a repeated placement key',
      {
        placements: [
          { key: 'p', variants: [] },
          { key: 'p', variants: [] },
        ],
      },
      'placements[1].key',
    ],
    ['a repeated action key', { actions: [action({ key: 'a' }), action({ key: 'a' })] }, 'actions[1].key'],
    [
      'quiet hours that are not HH:MM',
      { contactPolicy: { caps: [], quietHours: { start: '9pm', end: '08:00', defaultTimezone: 'UTC' } } },
      'contactPolicy.quietHours.start',
    ],
    [
      'an unknown time zone',
      {
        contactPolicy: {
          caps: [],
          quietHours: { start: '21:00', end: '08:00', defaultTimezone: 'Mars/Base' },
        },
      },
      'contactPolicy.quietHours.defaultTimezone',
    ],
    ['a holdout over 100%', { holdout: { percent: 120, salt: 's' } }, 'holdout.percent'],
    [
      'a cap with no window',
      { contactPolicy: { caps: [{ max: 1, perMs: 0 }] } },
      'contactPolicy.caps[0].perMs',
    ],
  ])('refuses %s', (_name, fields, path) => {
    expect(validateDecisions(decisions(fields)).map((detail) => detail.path)).toEqual([path]);
  });

  it('indexes placements and actions by key', () => {
    const compiled = compileDecisions(
      decisions({
        placements: [{ key: 'p', variants: [] }],
        actions: [action({ key: 'a' }), action({ key: 'b' })],
      }),
    );
    expect([...compiled.placements.keys()]).toEqual(['p']);
    expect(compiled.actionsByKey.get('b')?.index).toBe(1);
  });
});
