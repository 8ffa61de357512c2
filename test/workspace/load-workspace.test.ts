import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_NETWORK_POLICY, DEMO_WORKSPACE_FILE } from '../../src/app/settings.ts';
import type { ErrorDetail } from '../../src/errors.ts';
import { DEFAULT_IDENTITY_RULES } from '../../src/identity/identity-rules.ts';
import { parseWorkspaceDocument, parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { readWorkspaceFile } from '../../src/workspace/read-workspace-file.ts';
import { tempDir, workspaceYaml } from '../support/test-tailor.ts';
import { thrownTailorError } from '../support/thrown.ts';

const DAY_MS = 86_400_000;

function details(text: string): ErrorDetail[] {
  const error = thrownTailorError(() => parseWorkspaceYaml({ text, fileName: 'shop.yaml' }));
  expect(error.code).toBe('INVALID_WORKSPACE');
  return error.details;
}

const HEADER = 'workspace:\n  id: shop\n  name: Shop\n';

describe('the demo workspace file', () => {
  it('loads, with the traits a growth team starts from', async () => {
    const demo = await readWorkspaceFile(DEMO_WORKSPACE_FILE, { network: DEMO_NETWORK_POLICY });
    expect(demo).toMatchObject({ id: 'demo', name: 'Demo store', recentEventsLimit: 20 });
    expect(demo.identity.defaultCountry).toBe('IN');
    const keys = demo.computedTraits.map((trait) => trait.key);
    expect(keys).toEqual(
      expect.arrayContaining(['orders', 'lifetime_value', 'revenue_30d', 'preferred_channel']),
    );
    expect(demo.computedTraits.find((trait) => trait.key === 'orders')).toEqual({
      key: 'orders',
      aggregate: 'count',
      eventTypes: ['track'],
      events: ['Order Completed'],
    });
    expect(demo.computedTraits.find((trait) => trait.key === 'lifetime_value')).toMatchObject({
      aggregate: 'sum',
      property: 'properties.revenue',
    });
    expect(demo.computedTraits.find((trait) => trait.key === 'revenue_30d')?.windowMs).toBe(30 * DAY_MS);
    expect(demo.computedTraits.find((trait) => trait.key === 'pages_7d')).toMatchObject({
      eventTypes: ['page'],
      windowMs: 7 * DAY_MS,
    });
    const intent = demo.scores?.find((score) => score.key === 'intent');
    expect(intent).toMatchObject({ halfLifeMs: 7 * DAY_MS, max: 100 });
    expect(intent?.labels.map((label) => label.label)).toEqual(['high', 'medium', 'low']);
    expect(intent?.rules.map((rule) => rule.event)).toEqual(
      expect.arrayContaining(['Pricing Viewed', 'Pricing', 'Checkout Started', 'Message Replied']),
    );
    expect(demo.lifecycle?.stages.map((stage) => stage.key)).toEqual([
      'customer',
      'high_intent_lead',
      'lead',
      'visitor',
    ]);
    expect(demo.lifecycle?.stages.at(-1)).toEqual({ key: 'visitor' });
  });
});

describe('mapping the file to a definition', () => {
  it('fills every default', () => {
    const definition = parseWorkspaceYaml({ text: HEADER });
    expect(definition).toEqual({
      id: 'shop',
      name: 'Shop',
      identity: DEFAULT_IDENTITY_RULES,
      computedTraits: [],
      scores: [],
      recentEventsLimit: 20,
    });
  });

  it('merges identity rules field by field over the defaults, and extends the blocked values', () => {
    const definition = parseWorkspaceYaml({
      text: `${HEADER}identity:
  types:
    email: { limit: 10 }
    phone: { limit: null }
    loyalty_id: { priority: 5 }
  default_rule: { priority: 60 }
  blocked_values: ['  Guest ']
profile:
  recent_events: 100
`,
    });
    expect(definition.identity.types.email).toEqual({ priority: 2, limit: 10 });
    expect(definition.identity.types.phone).toEqual({ priority: 3 });
    expect(definition.identity.types.user_id).toEqual({ priority: 1, limit: 1 });
    expect(definition.identity.types.loyalty_id).toEqual({ priority: 5, limit: 5 });
    expect(definition.identity.defaultRule).toEqual({ priority: 60, limit: 5 });
    expect(definition.identity.blockedValues).toEqual([...DEFAULT_IDENTITY_RULES.blockedValues, 'guest']);
    expect(definition.recentEventsLimit).toBe(100);
    expect(DEFAULT_IDENTITY_RULES.types.email).toEqual({ priority: 2, limit: 5 });
  });

  it('maps computed traits, with a window in milliseconds and a where filter', () => {
    const definition = parseWorkspaceYaml({
      text: workspaceYaml(
        'shop',
        `  - key: big_orders
    aggregate: count
    event_types: [track, page]
    events: [Order Completed]
    where:
      properties.revenue: { $gte: 100 }
      properties.currency: INR
    window: 12h
`,
      ),
    });
    expect(definition.computedTraits.map((trait) => trait.key)).toEqual([
      'orders',
      'revenue_30d',
      'preferred_channel',
      'big_orders',
    ]);
    expect(definition.computedTraits[3]).toEqual({
      key: 'big_orders',
      aggregate: 'count',
      eventTypes: ['track', 'page'],
      events: ['Order Completed'],
      where: { 'properties.revenue': { $gte: 100 }, 'properties.currency': 'INR' },
      windowMs: 12 * 3_600_000,
    });
  });

  it('maps scores, with a half-life in milliseconds and labels highest first', () => {
    const definition = parseWorkspaceYaml({
      text: `${HEADER}scores:
  - key: intent
    half_life: 7d
    max: 100
    rules:
      - event: Pricing Viewed
        points: 15
      - event_types: [page]
        where: { properties.path: { $regex: '^/pricing' } }
        points: 10
    labels: { low: 0, high: 60, medium: 30 }
  - key: engagement
    rules:
      - points: 1
`,
    });
    expect(definition.scores).toEqual([
      {
        key: 'intent',
        halfLifeMs: 7 * DAY_MS,
        max: 100,
        rules: [
          { eventTypes: ['track'], event: 'Pricing Viewed', points: 15 },
          { eventTypes: ['page'], where: { 'properties.path': { $regex: '^/pricing' } }, points: 10 },
        ],
        labels: [
          { label: 'high', min: 60 },
          { label: 'medium', min: 30 },
          { label: 'low', min: 0 },
        ],
      },
      { key: 'engagement', rules: [{ eventTypes: ['track'], points: 1 }], labels: [] },
    ]);
  });

  it('maps lifecycle stages in order, the default stage without `when`', () => {
    const definition = parseWorkspaceYaml({
      text: `${HEADER}lifecycle:
  stages:
    - key: lead
      when: { identifiers.email: { $exists: true } }
    - key: visitor
`,
    });
    expect(definition.lifecycle).toEqual({
      stages: [{ key: 'lead', when: { 'identifiers.email': { $exists: true } } }, { key: 'visitor' }],
    });
    expect(parseWorkspaceYaml({ text: HEADER }).lifecycle).toBeUndefined();
  });

  it('accepts the same document as JSON', () => {
    const definition = parseWorkspaceDocument({
      workspace: { id: 'shop', name: 'Shop' },
      computed_traits: [{ key: 'orders', aggregate: 'count', window: '2w' }],
    });
    expect(definition.computedTraits).toEqual([
      { key: 'orders', aggregate: 'count', eventTypes: ['track'], windowMs: 14 * DAY_MS },
    ]);
  });
});

describe('errors point at file:line:col and the field', () => {
  it.each<[string, string, string, RegExp]>([
    [
      'a value of the wrong type',
      `${HEADER}profile:\n  recent_events: many\n`,
      'shop.yaml:5:18 profile.recent_events',
      /must be a whole number, not `many`/,
    ],
    [
      'a number out of range',
      `${HEADER}identity:\n  types:\n    phone: { limit: 0 }\n`,
      'shop.yaml:6:21 identity.types.phone.limit',
      /must be at least 1, not 0/,
    ],
    [
      'a value not matching its pattern',
      'workspace:\n  id: My Shop\n  name: Shop\n',
      'shop.yaml:2:7 workspace.id',
      /`My Shop` is not valid here: A stable id/,
    ],
    [
      'an unknown key, with a suggestion',
      `${HEADER}computed_traits:\n  - key: orders\n    aggregate: count\n    widnow: 7d\n`,
      'shop.yaml:7:5 computed_traits[0].widnow',
      /unknown field `widnow`: did you mean `window`\?/,
    ],
    [
      'an unknown top-level key, listing the known ones',
      `${HEADER}audiences: []\n`,
      'shop.yaml:4:1 audiences',
      /unknown field `audiences`: expected one of `workspace`, `identity`, `profile`, `computed_traits`/,
    ],
    [
      'an unknown aggregate, with a suggestion',
      `${HEADER}computed_traits:\n  - key: spend\n    aggregate: summ\n    property: properties.revenue\n`,
      'shop.yaml:6:16 computed_traits[0].aggregate',
      /`summ` is not accepted: did you mean `sum`\?/,
    ],
    [
      'an unknown filter operator',
      `${HEADER}computed_traits:\n  - key: big\n    aggregate: count\n    where:\n      properties.revenue: { $gtt: 5 }\n`,
      'shop.yaml:8:29 computed_traits[0].where["properties.revenue"].$gtt',
      /did you mean `\$gt`\?/,
    ],
    [
      'a bad window',
      `${HEADER}computed_traits:\n  - key: orders\n    aggregate: count\n    window: 7 days\n`,
      'shop.yaml:7:13 computed_traits[0].window',
      /`7 days` is not a duration/,
    ],
    [
      'a duplicate trait key',
      `${HEADER}computed_traits:\n  - key: orders\n    aggregate: count\n  - key: orders\n    aggregate: count\n`,
      'shop.yaml:7:10 computed_traits[1].key',
      /`orders` is already used by computed_traits\[0\]/,
    ],
    [
      'a sum without a property',
      `${HEADER}computed_traits:\n  - key: spend\n    aggregate: sum\n    events: [Order Completed]\n`,
      'shop.yaml:5:5 computed_traits[0].property',
      /`sum` needs a `property`/,
    ],
    [
      'a missing required field, at the mapping that should hold it',
      `${HEADER}computed_traits:\n  - aggregate: count\n`,
      'shop.yaml:5:5 computed_traits[0].key',
      /`key` is required/,
    ],
    [
      'an unknown score key, with a suggestion',
      `${HEADER}scores:\n  - key: intent\n    half_lfe: 7d\n    rules: [{ points: 1 }]\n`,
      'shop.yaml:6:5 scores[0].half_lfe',
      /unknown field `half_lfe`: did you mean `half_life`\?/,
    ],
    [
      'an unknown score rule key, with a suggestion',
      `${HEADER}scores:\n  - key: intent\n    rules:\n      - evnt: Pricing Viewed\n        points: 1\n`,
      'shop.yaml:7:9 scores[0].rules[0].evnt',
      /unknown field `evnt`: did you mean `event`\?/,
    ],
    [
      'a bad half-life',
      `${HEADER}scores:\n  - key: intent\n    half_life: a week\n    rules: [{ points: 1 }]\n`,
      'shop.yaml:6:16 scores[0].half_life',
      /`a week` is not a duration/,
    ],
    [
      'a bad condition, at its path inside where',
      `${HEADER}scores:\n  - key: intent\n    rules:\n      - event_types: [page]\n        points: 1\n        where:\n          properties.path: { $regex: '(' }\n`,
      'shop.yaml:10:38 scores[0].rules[0].where["properties.path"].$regex',
      /`properties.path.\$regex` is not a valid regular expression/,
    ],
    [
      'an unknown condition operator deep in a condition',
      `${HEADER}scores:\n  - key: intent\n    rules:\n      - points: 1\n        where:\n          $and:\n            - computed.orders: { $gtt: 0 }\n`,
      'shop.yaml:10:40 scores[0].rules[0].where.$and[0]["computed.orders"].$gtt',
      /`\$and\[0\].computed.orders.\$gtt` is not an operator/,
    ],
    [
      'a duplicate score key',
      `${HEADER}scores:\n  - key: intent\n    rules: [{ points: 1 }]\n  - key: intent\n    rules: [{ points: 2 }]\n`,
      'shop.yaml:7:10 scores[1].key',
      /`intent` is already used by scores\[0\]: each score needs its own key/,
    ],
    [
      'a score without rules',
      `${HEADER}scores:\n  - key: intent\n    rules: []\n`,
      'shop.yaml:6:12 scores[0].rules',
      /must list at least 1 item/,
    ],
    [
      'a max below the min',
      `${HEADER}scores:\n  - key: intent\n    min: 10\n    max: 5\n    rules: [{ points: 1 }]\n`,
      'shop.yaml:7:10 scores[0].max',
      /`max` \(5\) is below `min` \(10\)/,
    ],
    [
      'a duplicate lifecycle stage key',
      `${HEADER}lifecycle:\n  stages:\n    - key: lead\n      when: { traits.email: { $exists: true } }\n    - key: lead\n`,
      'shop.yaml:8:12 lifecycle.stages[1].key',
      /`lead` is already used by lifecycle.stages\[0\]: each lifecycle stage needs its own key/,
    ],
    [
      'a stage without `when` before the last',
      `${HEADER}lifecycle:\n  stages:\n    - key: visitor\n    - key: lead\n      when: { traits.email: { $exists: true } }\n`,
      'shop.yaml:6:7 lifecycle.stages[0]',
      /only the last stage may leave out `when`: this stage takes everyone, so the 1 after it could never be reached/,
    ],
    [
      'a stage key that is not snake case',
      `${HEADER}lifecycle:\n  stages:\n    - key: HighIntent\n`,
      'shop.yaml:6:12 lifecycle.stages[0].key',
      /`HighIntent` is not valid here: The stage name/,
    ],
    [
      'a stage condition on the event',
      `${HEADER}lifecycle:\n  stages:\n    - key: buyer\n      when:\n        $or:\n          - computed.orders: { $gte: 1 }\n          - event.event: Order Completed\n`,
      'shop.yaml:10:13 lifecycle.stages[0].when.$or[1]["event.event"]',
      /`event.event` is not part of the profile: a lifecycle stage is read from the profile alone/,
    ],
    [
      'a stage condition on $performed',
      `${HEADER}lifecycle:\n  stages:\n    - key: buyer\n      when: { $performed: { event: Order Completed } }\n`,
      'shop.yaml:7:15 lifecycle.stages[0].when.$performed',
      /`\$performed` needs the event history/,
    ],
    [
      'a bad operator in a stage condition',
      `${HEADER}lifecycle:\n  stages:\n    - key: hot\n      when: { scores.intent: { $gtee: 60 } }\n`,
      'shop.yaml:7:39 lifecycle.stages[0].when["scores.intent"].$gtee',
      /`scores.intent.\$gtee` is not an operator on a value/,
    ],
    ['a YAML syntax error', `${HEADER}computed_traits: [\n`, 'shop.yaml:5:1', /YAML syntax/],
    [
      'a duplicate YAML key',
      'workspace:\n  id: a\n  id: b\n  name: Shop\n',
      'shop.yaml:3:3',
      /Map keys must be unique/,
    ],
    ['an empty file', '# nothing yet\n', 'shop.yaml:1:1', /the file is empty/],
  ])('reports %s', (_name, text, path, message) => {
    const found = details(text);
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toBe(path);
    expect(found[0]?.message).toMatch(message);
  });

  it('reports every problem at once, in file order', () => {
    const found = details(`workspace:
  id: shop
  name: Shop
identity:
  default_country: in
computed_traits:
  - key: orders
    aggregate: count
    window: 7 days
  - key: orders
    aggregate: avg
`);
    expect(found.map((detail) => detail.path)).toEqual([
      'shop.yaml:5:20 identity.default_country',
      'shop.yaml:9:13 computed_traits[0].window',
      'shop.yaml:10:5 computed_traits[1].property',
      'shop.yaml:10:10 computed_traits[1].key',
    ]);
  });

  it('uses field paths without positions for a JSON document', () => {
    const error = thrownTailorError(() =>
      parseWorkspaceDocument({
        workspace: { id: 'shop', name: 'Shop' },
        computed_traits: [{ key: 'x', aggregate: 'sum' }],
      }),
    );
    expect(error.code).toBe('INVALID_WORKSPACE');
    expect(error.details).toEqual([
      { path: 'computed_traits[0].property', message: expect.stringMatching(/needs a `property`/) },
    ]);
  });

  it('says which file it could not read', async () => {
    const path = join(tempDir(), 'missing.yaml');
    await expect(readWorkspaceFile(path)).rejects.toMatchObject({ code: 'INVALID_WORKSPACE' });
  });

  it('names the file it read in every detail', async () => {
    const path = join(tempDir(), 'tailor.yaml');
    writeFileSync(path, `${HEADER}profile:\n  recent_events: 0\n`);
    await expect(readWorkspaceFile(path)).rejects.toMatchObject({
      details: [{ path: `${path}:5:18 profile.recent_events`, message: expect.stringMatching(/at least 1/) }],
    });
  });
});
