import { describe, expect, it } from 'vitest';
import { DEMO_NETWORK_POLICY, DEMO_WORKSPACE_FILE } from '../../src/app/settings.ts';
import type { ErrorDetail } from '../../src/errors.ts';
import { parseWorkspaceDocument, parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { readWorkspaceFile } from '../../src/workspace/read-workspace-file.ts';
import { thrownTailorError } from '../support/thrown.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** A workspace with one segment for decisions to test; sections follow (line 7 on). */
const HEADER = `workspace:
  id: shop
  name: Shop
segments:
  - key: vip
    when: { traits.vip: true }
`;

function details(text: string): ErrorDetail[] {
  const error = thrownTailorError(() => parseWorkspaceYaml({ text, fileName: 'shop.yaml' }));
  expect(error.code).toBe('INVALID_WORKSPACE');
  return error.details;
}

/** An action with every required field; `fields` lines go after `key` and replace nothing. */
function action(fields: string): string {
  return `${HEADER}actions:\n  - key: nudge\n${fields}`;
}

const EMAIL_ACTION = '    channels: [email]\n    content: { email: { text: Hi } }\n    value: 1\n';

describe('the demo workspace file', () => {
  it('declares placements, actions, a contact policy, a holdout that is off and a trigger', async () => {
    const demo = await readWorkspaceFile(DEMO_WORKSPACE_FILE, { network: DEMO_NETWORK_POLICY });
    const decisions = demo.decisions;
    expect(decisions?.placements.map((placement) => placement.key)).toEqual(['home_banner', 'offer_block']);
    expect(decisions?.placements[0]?.variants.map((variant) => variant.when)).toEqual([
      { 'context.location.city': 'Bangalore' },
      undefined,
    ]);
    expect(decisions?.placements[1]?.variants.map((variant) => variant.key)).toEqual([
      'welcome',
      'loyalty',
      'default',
    ]);
    expect(decisions?.actions.map((entry) => entry.key)).toEqual([
      'send_personalized_checkout_reminder',
      'send_pricing_follow_up_email',
      'send_sms_loyalty_offer',
    ]);
    expect(decisions?.actions[0]).toMatchObject({
      channels: ['whatsapp', 'email'],
      value: 120,
      weight: 1,
      propensity: 0.35,
      applicability: { 'risks.checkout_abandonment': { $exists: true } },
      suitability: { lifecycle_stage: { $ne: 'customer' } },
      cooldownMs: 24 * HOUR_MS,
    });
    expect(decisions?.actions[0]?.content.whatsapp?.text).toMatch(/profile\.computed\.last_checkout_plan/);
    expect(decisions?.contactPolicy).toEqual({
      caps: [
        { channel: 'whatsapp', max: 1, perMs: DAY_MS },
        { max: 3, perMs: 7 * DAY_MS },
      ],
      suppressAfterIgnored: 3,
      quietHours: { start: '21:00', end: '09:00', defaultTimezone: 'Asia/Kolkata' },
    });
    expect(decisions?.holdout).toEqual({ percent: 0, salt: 'demo' });
    // The checkout_recovery journey decides on Checkout Abandoned now, so no trigger does.
    expect(decisions?.triggers).toEqual([]);
    expect(demo.computedTraits.find((trait) => trait.key === 'last_checkout_plan')).toEqual({
      key: 'last_checkout_plan',
      aggregate: 'last',
      eventTypes: ['track'],
      events: ['Checkout Started'],
      property: 'properties.plan',
    });
    expect(demo.segments?.find((segment) => segment.key === 'repeat_customers')?.when).toEqual({
      'computed.orders': { $gte: 2 },
    });
  });
});

describe('mapping the decisions sections to a definition', () => {
  it('maps every section, with durations in milliseconds and the defaults filled in', () => {
    const definition = parseWorkspaceYaml({
      text: `${HEADER}placements:
  - key: home_banner
    description: Hero banner
    variants:
      - key: bangalore
        when: { context.location.city: Bangalore }
        content: { title: Namma Bengaluru sale, body: "Hi {{ profile.traits.first_name | default: 'there' }}" }
      - key: vips
        when: { $inSegment: vip }
        content: { title: For you, tags: [a, "{{ profile.traits.plan }}"], cta: { label: Go, url: /vip } }
      - key: default
        content: { title: Monsoon sale }
actions:
  - key: send_personalized_checkout_reminder
    description: Checkout reminder
    channels: [whatsapp, email, sms]
    content:
      sms: { text: Come back }
      whatsapp: { text: "Hi {{ profile.traits.first_name | default: 'there' }}" }
      email: { subject: Your plan, body: "{{ profile.computed.last_checkout_plan }}" }
    value: 100
    weight: 2
    propensity: 0.3
    eligibility: { consent.whatsapp: true }
    applicability: { risks.checkout_abandonment: { $exists: true } }
    suitability: { lifecycle_stage: { $ne: customer } }
    context_weights: [{ when: { scores.intent: { $gte: 60 } }, weight: 2 }]
    cooldown: 24h
  - key: tip
    channels: [in_app]
    content: { in_app: { text: Did you know? } }
    value: 0
contact_policy:
  caps:
    - { channel: whatsapp, max: 1, per: 1d }
    - { max: 3, per: 7d }
  suppress_after_ignored: 3
  quiet_hours: { start: "21:00", end: "09:00", default_timezone: Asia/Kolkata }
holdout: { percent: 5, salt: demo-2026 }
decision_triggers:
  - event: Checkout Abandoned
  - segment_entered: vip
`,
    });
    expect(definition.decisions).toEqual({
      placements: [
        {
          key: 'home_banner',
          description: 'Hero banner',
          variants: [
            {
              key: 'bangalore',
              when: { 'context.location.city': 'Bangalore' },
              content: {
                title: 'Namma Bengaluru sale',
                body: "Hi {{ profile.traits.first_name | default: 'there' }}",
              },
            },
            {
              key: 'vips',
              when: { $inSegment: 'vip' },
              content: {
                title: 'For you',
                tags: ['a', '{{ profile.traits.plan }}'],
                cta: { label: 'Go', url: '/vip' },
              },
            },
            { key: 'default', content: { title: 'Monsoon sale' } },
          ],
        },
      ],
      actions: [
        {
          key: 'send_personalized_checkout_reminder',
          description: 'Checkout reminder',
          channels: ['whatsapp', 'email', 'sms'],
          content: {
            whatsapp: { text: "Hi {{ profile.traits.first_name | default: 'there' }}" },
            email: { subject: 'Your plan', body: '{{ profile.computed.last_checkout_plan }}' },
            sms: { text: 'Come back' },
          },
          value: 100,
          weight: 2,
          propensity: 0.3,
          eligibility: { 'consent.whatsapp': true },
          applicability: { 'risks.checkout_abandonment': { $exists: true } },
          suitability: { lifecycle_stage: { $ne: 'customer' } },
          contextWeights: [{ when: { 'scores.intent': { $gte: 60 } }, weight: 2 }],
          cooldownMs: 24 * HOUR_MS,
        },
        {
          key: 'tip',
          channels: ['in_app'],
          content: { in_app: { text: 'Did you know?' } },
          value: 0,
          weight: 1,
          propensity: 1,
          contextWeights: [],
        },
      ],
      contactPolicy: {
        caps: [
          { channel: 'whatsapp', max: 1, perMs: DAY_MS },
          { max: 3, perMs: 7 * DAY_MS },
        ],
        suppressAfterIgnored: 3,
        quietHours: { start: '21:00', end: '09:00', defaultTimezone: 'Asia/Kolkata' },
      },
      holdout: { percent: 5, salt: 'demo-2026' },
      triggers: [{ event: 'Checkout Abandoned' }, { segmentEntered: 'vip' }],
    });
  });

  it('leaves decisions out when the file has none of its sections', () => {
    expect(parseWorkspaceYaml({ text: HEADER })).not.toHaveProperty('decisions');
  });

  it('fills the rest when only one section is given: the salt is the workspace id, quiet hours in UTC', () => {
    expect(parseWorkspaceYaml({ text: `${HEADER}holdout: { percent: 10 }\n` }).decisions).toEqual({
      placements: [],
      actions: [],
      contactPolicy: { caps: [] },
      holdout: { percent: 10, salt: 'shop' },
      triggers: [],
    });
    const quiet = parseWorkspaceYaml({
      text: `${HEADER}contact_policy:\n  quiet_hours: { start: "22:30", end: "07:00" }\n`,
    });
    expect(quiet.decisions).toEqual({
      placements: [],
      actions: [],
      contactPolicy: { caps: [], quietHours: { start: '22:30', end: '07:00', defaultTimezone: 'UTC' } },
      triggers: [],
    });
  });

  it('accepts the same document as JSON', () => {
    const definition = parseWorkspaceDocument({
      workspace: { id: 'shop', name: 'Shop' },
      placements: [{ key: 'banner', variants: [{ key: 'default', content: { title: 'Hello' } }] }],
      decision_triggers: [{ event: 'Checkout Abandoned' }],
    });
    expect(definition.decisions).toEqual({
      placements: [{ key: 'banner', variants: [{ key: 'default', content: { title: 'Hello' } }] }],
      actions: [],
      contactPolicy: { caps: [] },
      triggers: [{ event: 'Checkout Abandoned' }],
    });
  });
});

/** A placement `banner` whose variants are `variants` (lines indented by six spaces). */
function placement(variants: string): string {
  return `${HEADER}placements:\n  - key: banner\n    variants:\n${variants}`;
}

describe('placements that learn and experiments over placements', () => {
  it('maps strategy, goals, predictors and priors, and lets variants without `when` share a learning placement', () => {
    const definition = parseWorkspaceYaml({
      text: `${HEADER}placements:
  - key: banner
    strategy: learn
    goal: { event: Order Completed, within: 7d, value: properties.revenue }
    predictors: [traits.plan]
    variants:
      - { key: a, content: { title: A } }
      - { key: b, content: { title: B }, propensity: 0.2, goal: { event: Signed Up, within: 1d } }
`,
    });
    expect(definition.decisions?.placements[0]).toEqual({
      key: 'banner',
      strategy: 'learn',
      goal: { event: 'Order Completed', withinMs: 7 * DAY_MS, value: 'properties.revenue' },
      predictors: ['traits.plan'],
      variants: [
        { key: 'a', content: { title: 'A' } },
        {
          key: 'b',
          content: { title: 'B' },
          propensity: 0.2,
          goal: { event: 'Signed Up', withinMs: DAY_MS },
        },
      ],
    });
  });

  it('maps an experiment over a placement, whose arms may show variants without `when`', () => {
    const definition = parseWorkspaceYaml({
      text: `${HEADER}placements:
  - key: banner
    variants:
      - { key: test, content: { title: Test } }
      - { key: default, content: { title: Default } }
experiments:
  - key: banner_test
    placement: banner
    arms: [{ key: control, percent: 50 }, { key: test, percent: 50, variant: test }]
    goal: { event: Order Completed, within: 1d }
`,
    });
    expect(definition.decisions?.experiments).toEqual([
      {
        key: 'banner_test',
        placement: 'banner',
        arms: [
          { key: 'control', percent: 50 },
          { key: 'test', percent: 50, variant: 'test' },
        ],
        goal: { event: 'Order Completed', withinMs: DAY_MS },
        salt: 'banner_test',
      },
    ]);
  });
});

describe('decision errors point at file:line:col and the field', () => {
  it.each<[string, string, string, RegExp]>([
    [
      'a misspelt section, with a suggestion',
      `${HEADER}placement: []\n`,
      'shop.yaml:7:1 placement',
      /unknown field `placement`: did you mean `placements`\?/,
    ],
    [
      'a duplicate placement key',
      `${HEADER}placements:\n  - key: banner\n    variants: [{ key: a, content: {} }]\n  - key: banner\n    variants: [{ key: a, content: {} }]\n`,
      'shop.yaml:10:10 placements[1].key',
      /the key `banner` is already used by placements\[0\]: each placement needs its own key/,
    ],
    [
      'a duplicate variant key within a placement',
      placement(
        '      - key: a\n        when: { traits.vip: true }\n        content: {}\n      - key: a\n        content: {}\n',
      ),
      'shop.yaml:13:14 placements[0].variants[1].key',
      /the key `a` is already used by placements\[0\]\.variants\[0\]: each variant of a placement needs its own key/,
    ],
    [
      'a variant without `when` that is not the last',
      placement(
        '      - key: everyone\n        content: {}\n      - key: vips\n        when: { traits.vip: true }\n        content: {}\n',
      ),
      'shop.yaml:10:9 placements[0].variants[0]',
      /only the last variant may leave out `when`: this variant is shown to everyone, so the one after it could never be shown/,
    ],
    [
      'a placement without variants',
      `${HEADER}placements:\n  - key: banner\n    variants: []\n`,
      'shop.yaml:9:15 placements[0].variants',
      /must list at least 1 item/,
    ],
    [
      'a bad operator in a variant condition, at its path inside `when`',
      placement(
        '      - key: a\n        when: { context.location.city: { $eqq: Pune } }\n        content: {}\n',
      ),
      'shop.yaml:11:48 placements[0].variants[0].when["context.location.city"].$eqq',
      /`context.location.city.\$eqq` is not an operator on a value/,
    ],
    [
      'a variant condition on the event',
      placement('      - key: a\n        when: { properties.plan: pro }\n        content: {}\n'),
      'shop.yaml:11:17 placements[0].variants[0].when["properties.plan"]',
      /`properties.plan` cannot be read here: .* may read only context, inbox, traits, computed, scores, risks, lifecycle_stage, segments/,
    ],
    [
      'a variant condition using $performed',
      placement(
        '      - key: a\n        when: { $performed: { event: Order Completed } }\n        content: {}\n',
      ),
      'shop.yaml:11:17 placements[0].variants[0].when.$performed',
      /`\$performed` is not available in a decision, which reads the profile's counts .* computed trait .* segment/,
    ],
    [
      'a variant testing a segment the file does not define, with a suggestion',
      placement('      - key: a\n        when: { $inSegment: vipp }\n        content: {}\n'),
      'shop.yaml:11:29 placements[0].variants[0].when.$inSegment',
      /`vipp` is not a segment of this file: did you mean `vip`\?/,
    ],
    [
      'a Liquid template with an unknown filter',
      placement(
        "      - key: a\n        content: { title: Hi, body: 'Hi {{ profile.traits.first_name | shout }}' }\n",
      ),
      'shop.yaml:11:37 placements[0].variants[0].content.body',
      /not a valid Liquid template: undefined filter: shout \(line 1, column 4 of the template\)/,
    ],
    [
      'an unclosed Liquid output, deep in the content',
      placement("      - key: a\n        content:\n          cta: { label: 'Hi {{ name' }\n"),
      'shop.yaml:12:25 placements[0].variants[0].content.cta.label',
      /not a valid Liquid template: output "\{\{ name" not closed/,
    ],
    [
      'a duplicate action key',
      `${action(EMAIL_ACTION)}  - key: nudge\n${EMAIL_ACTION}`,
      'shop.yaml:12:10 actions[1].key',
      /the key `nudge` is already used by actions\[0\]: each action needs its own key/,
    ],
    [
      'an unknown channel, with a suggestion',
      action('    channels: [whatsap]\n    content: {}\n    value: 1\n'),
      'shop.yaml:9:16 actions[0].channels[0]',
      /`whatsap` is not accepted: did you mean `whatsapp`\?/,
    ],
    [
      'a channel listed twice',
      action('    channels: [email, email]\n    content: { email: { text: Hi } }\n    value: 1\n'),
      'shop.yaml:9:23 actions[0].channels[1]',
      /`email` is already listed in `channels`: list each channel once/,
    ],
    [
      'a channel without content',
      action('    channels: [email, sms]\n    content: { email: { text: Hi } }\n    value: 1\n'),
      'shop.yaml:10:14 actions[0].content',
      /no content for `sms`: `content` needs an entry for each channel in `channels`/,
    ],
    [
      'content for a channel not listed',
      action(
        '    channels: [email]\n    content: { email: { text: Hi }, sms: { text: Hi } }\n    value: 1\n',
      ),
      'shop.yaml:10:37 actions[0].content.sms',
      /`sms` is not in this action's `channels`: add it there, or remove this content/,
    ],
    [
      'content for an unknown channel, with a suggestion',
      action(
        '    channels: [email]\n    content: { email: { text: Hi }, emial: { text: Hi } }\n    value: 1\n',
      ),
      'shop.yaml:10:37 actions[0].content.emial',
      /unknown field `emial`: did you mean `email`\?/,
    ],
    [
      'an action without channels',
      action('    channels: []\n    content: {}\n    value: 1\n'),
      'shop.yaml:9:15 actions[0].channels',
      /must list at least 1 item \(the channels it can be sent on/,
    ],
    [
      'an action without a value',
      action('    channels: [email]\n    content: { email: { text: Hi } }\n'),
      'shop.yaml:8:5 actions[0].value',
      /`value` is required: The business value/,
    ],
    [
      'a negative value',
      action('    channels: [email]\n    content: { email: { text: Hi } }\n    value: -1\n'),
      'shop.yaml:11:12 actions[0].value',
      /must be at least 0, not -1/,
    ],
    [
      'a propensity above 1',
      action(`${EMAIL_ACTION}    propensity: 1.5\n`),
      'shop.yaml:12:17 actions[0].propensity',
      /must be at most 1, not 1.5 \(how likely the person is to respond/,
    ],
    [
      'a weight of 0',
      action(`${EMAIL_ACTION}    weight: 0\n`),
      'shop.yaml:12:13 actions[0].weight',
      /a weight must be greater than 0, not 0: .* use `eligibility` or `suitability`/,
    ],
    [
      'a negative context weight',
      action(
        `${EMAIL_ACTION}    context_weights:\n      - when: { scores.intent: { $gte: 60 } }\n        weight: -1\n`,
      ),
      'shop.yaml:14:17 actions[0].context_weights[0].weight',
      /a weight must be greater than 0, not -1/,
    ],
    [
      'a context weight using $performed',
      action(
        `${EMAIL_ACTION}    context_weights:\n      - when: { $performed: { event: X } }\n        weight: 2\n`,
      ),
      'shop.yaml:13:17 actions[0].context_weights[0].when.$performed',
      /`\$performed` is not available in a decision/,
    ],
    [
      'a bad cooldown',
      action(`${EMAIL_ACTION}    cooldown: a day\n`),
      'shop.yaml:12:15 actions[0].cooldown',
      /`a day` is not a duration/,
    ],
    [
      'an eligibility condition on the event',
      action(`${EMAIL_ACTION}    eligibility: { event.event: Checkout Started }\n`),
      'shop.yaml:12:20 actions[0].eligibility["event.event"]',
      /`event.event` cannot be read here: a decision is made for a person and a request/,
    ],
    [
      'an applicability condition testing an unknown segment',
      action(`${EMAIL_ACTION}    applicability: { $notInSegment: vips }\n`),
      'shop.yaml:12:37 actions[0].applicability.$notInSegment',
      /`vips` is not a segment of this file: did you mean `vip`\?/,
    ],
    [
      'an action template with an unclosed tag',
      action("    channels: [email]\n    content: { email: { subject: '{% if x %}open' } }\n    value: 1\n"),
      'shop.yaml:10:34 actions[0].content.email.subject',
      /not a valid Liquid template: tag \{% if x %\} not closed/,
    ],
    [
      'a cap window that is not a duration',
      `${HEADER}contact_policy:\n  caps:\n    - { max: 3, per: a week }\n`,
      'shop.yaml:9:22 contact_policy.caps[0].per',
      /`a week` is not a duration/,
    ],
    [
      'a cap on an unknown channel',
      `${HEADER}contact_policy:\n  caps:\n    - { channel: wa, max: 3, per: 7d }\n`,
      'shop.yaml:9:18 contact_policy.caps[0].channel',
      /`wa` is not accepted: use one of email, sms, rcs, whatsapp, messenger, instagram, push, in_app/,
    ],
    [
      'a quiet hour not written HH:MM',
      `${HEADER}contact_policy:\n  quiet_hours: { start: 9pm, end: "09:00" }\n`,
      'shop.yaml:8:25 contact_policy.quiet_hours.start',
      /`9pm` is not valid here: A time of day as HH:MM on a 24-hour clock/,
    ],
    [
      'a quiet hour past the end of the day',
      `${HEADER}contact_policy:\n  quiet_hours: { start: "21:00", end: "24:00" }\n`,
      'shop.yaml:8:39 contact_policy.quiet_hours.end',
      /`24:00` is not valid here/,
    ],
    [
      'quiet hours that start and end at the same time',
      `${HEADER}contact_policy:\n  quiet_hours: { start: "09:00", end: "09:00" }\n`,
      'shop.yaml:8:39 contact_policy.quiet_hours.end',
      /quiet hours that start and end at 09:00 hold no time/,
    ],
    [
      'an unknown time zone',
      `${HEADER}contact_policy:\n  quiet_hours: { start: "21:00", end: "09:00", default_timezone: Mars/Olympus }\n`,
      'shop.yaml:8:66 contact_policy.quiet_hours.default_timezone',
      /`Mars\/Olympus` is not a known time zone: use an IANA time zone name, like Asia\/Kolkata/,
    ],
    [
      'a misspelt time zone, with a suggestion',
      `${HEADER}contact_policy:\n  quiet_hours: { start: "21:00", end: "09:00", default_timezone: Europe/Londn }\n`,
      'shop.yaml:8:66 contact_policy.quiet_hours.default_timezone',
      /`Europe\/Londn` is not a known time zone: did you mean `Europe\/London`\?/,
    ],
    [
      'a holdout above 50%',
      `${HEADER}holdout: { percent: 60 }\n`,
      'shop.yaml:7:21 holdout.percent',
      /must be at most 50, not 60/,
    ],
    [
      'a trigger on a segment the file does not define',
      `${HEADER}decision_triggers:\n  - segment_entered: vpi\n`,
      'shop.yaml:8:22 decision_triggers[0].segment_entered',
      /`vpi` is not a segment of this file: did you mean `vip`\?/,
    ],
    [
      'a trigger with neither `event` nor `segment_entered`',
      `${HEADER}decision_triggers:\n  - {}\n`,
      'shop.yaml:8:5 decision_triggers[0]',
      /a trigger needs `event` .* or `segment_entered`/,
    ],
    [
      'a trigger with both',
      `${HEADER}decision_triggers:\n  - event: X\n    segment_entered: vip\n`,
      'shop.yaml:9:5 decision_triggers[0].segment_entered',
      /a trigger takes `event` or `segment_entered`, not both: list them as two triggers/,
    ],
    [
      'a variant of a learning placement without a goal',
      `${HEADER}placements:\n  - key: banner\n    strategy: learn\n    variants:\n      - { key: a, content: {}, goal: { event: Order Completed, within: 1d } }\n      - { key: b, content: {} }\n`,
      'shop.yaml:12:9 placements[0].variants[1]',
      /has no goal: under `strategy: learn` give the placement a `goal`/,
    ],
    [
      'a goal on a placement that does not learn',
      `${HEADER}placements:\n  - key: banner\n    goal: { event: Order Completed, within: 1d }\n    variants: [{ key: a, content: {} }]\n`,
      'shop.yaml:9:5 placements[0].goal',
      /`goal` is read only under `strategy: learn`/,
    ],
    [
      'a learning placement goal window that is not a duration',
      `${HEADER}placements:\n  - key: banner\n    strategy: learn\n    goal: { event: Order Completed, within: soon }\n    variants: [{ key: a, content: {} }]\n`,
      'shop.yaml:10:45 placements[0].goal.within',
      /soon/,
    ],
  ])('reports %s', (_name, text, path, message) => {
    const found = details(text);
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toBe(path);
    expect(found[0]?.message).toMatch(message);
  });

  it('reports every decision problem at once, in file order', () => {
    const found = details(`${HEADER}placements:
  - key: banner
    variants:
      - key: all
        content: { title: '{{ x | nope }}' }
      - key: all
        when: { event.event: X }
        content: {}
decision_triggers:
  - segment_entered: nobody
`);
    expect(found.map((detail) => detail.path)).toEqual([
      'shop.yaml:10:9 placements[0].variants[0]',
      'shop.yaml:11:27 placements[0].variants[0].content.title',
      'shop.yaml:12:14 placements[0].variants[1].key',
      'shop.yaml:13:17 placements[0].variants[1].when["event.event"]',
      'shop.yaml:16:22 decision_triggers[0].segment_entered',
    ]);
  });
});
