import { describe, expect, it } from 'vitest';
import { DEMO_NETWORK_POLICY, DEMO_WORKSPACE_FILE } from '../../src/app/settings.ts';
import type { ErrorDetail } from '../../src/errors.ts';
import { parseWorkspaceDocument, parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { readWorkspaceFile } from '../../src/workspace/read-workspace-file.ts';
import { thrownTailorError } from '../support/thrown.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** A workspace with one computed trait and one score for segments to read; sections follow. */
const HEADER = `workspace:
  id: shop
  name: Shop
computed_traits:
  - key: preferred_channel
    aggregate: most_frequent
    property: properties.channel
scores:
  - key: intent
    rules: [{ points: 1 }]
`;

function details(text: string): ErrorDetail[] {
  const error = thrownTailorError(() => parseWorkspaceYaml({ text, fileName: 'shop.yaml' }));
  expect(error.code).toBe('INVALID_WORKSPACE');
  return error.details;
}

describe('the demo workspace file', () => {
  it('declares its segments and the checkout abandonment detector', async () => {
    const demo = await readWorkspaceFile(DEMO_WORKSPACE_FILE, { network: DEMO_NETWORK_POLICY });
    expect(demo.segments?.map((segment) => segment.key)).toEqual([
      'high_intent_leads',
      'viewed_pricing_this_week',
      'whatsapp_responders',
      'new_customers',
      'repeat_customers',
    ]);
    const high = demo.scores?.find((score) => score.key === 'intent')?.labels.find((l) => l.label === 'high');
    expect(demo.segments?.[0]?.when).toEqual({
      'scores.intent': { $gte: high?.min },
      lifecycle_stage: { $ne: 'customer' },
    });
    expect(demo.segments?.[2]?.when).toEqual({ 'computed.preferred_channel': 'whatsapp' });
    expect(demo.detectors).toEqual([
      {
        key: 'checkout_abandonment',
        after: 'Checkout Started',
        unless: ['Order Completed'],
        withinMs: 30 * MINUTE_MS,
        emit: 'Checkout Abandoned',
      },
    ]);
  });
});

describe('mapping segments and detectors to a definition', () => {
  it('maps segments, and detectors with the wait in milliseconds and `unless` as a list', () => {
    const definition = parseWorkspaceYaml({
      text: `${HEADER}segments:
  - key: high_intent_whatsapp
    name: High-intent leads on WhatsApp
    description: Ready to buy, and they answer on WhatsApp.
    when:
      scores.intent: { $gte: 40 }
      computed.preferred_channel: whatsapp
  - key: viewed_pricing_this_week
    when:
      $performed: { event: Pricing Viewed, within: 7d }
  - key: hot_and_recent
    when: { $inSegment: high_intent_whatsapp, $notInSegment: viewed_pricing_this_week }
detectors:
  - key: checkout_abandonment
    after: Checkout Started
    where: { properties.value: { $gt: 0 } }
    unless: Order Completed
    within: 30m
    emit: Checkout Abandoned
  - key: gone_quiet
    after: '*'
    unless: ['*']
    within: 14d
    emit: Gone Quiet
`,
    });
    expect(definition.segments).toEqual([
      {
        key: 'high_intent_whatsapp',
        name: 'High-intent leads on WhatsApp',
        description: 'Ready to buy, and they answer on WhatsApp.',
        when: { 'scores.intent': { $gte: 40 }, 'computed.preferred_channel': 'whatsapp' },
      },
      {
        key: 'viewed_pricing_this_week',
        when: { $performed: { event: 'Pricing Viewed', within: '7d' } },
      },
      {
        key: 'hot_and_recent',
        when: { $inSegment: 'high_intent_whatsapp', $notInSegment: 'viewed_pricing_this_week' },
      },
    ]);
    expect(definition.detectors).toEqual([
      {
        key: 'checkout_abandonment',
        after: 'Checkout Started',
        where: { 'properties.value': { $gt: 0 } },
        unless: ['Order Completed'],
        withinMs: 30 * MINUTE_MS,
        emit: 'Checkout Abandoned',
      },
      { key: 'gone_quiet', after: '*', unless: ['*'], withinMs: 14 * DAY_MS, emit: 'Gone Quiet' },
    ]);
  });

  it('leaves both out when the file has no such section, and keeps empty sections', () => {
    const without = parseWorkspaceYaml({ text: HEADER });
    expect(without).not.toHaveProperty('segments');
    expect(without).not.toHaveProperty('detectors');
    const empty = parseWorkspaceYaml({ text: `${HEADER}segments: []\ndetectors: []\n` });
    expect(empty.segments).toEqual([]);
    expect(empty.detectors).toEqual([]);
  });

  it('accepts the same document as JSON', () => {
    const definition = parseWorkspaceDocument({
      workspace: { id: 'shop', name: 'Shop' },
      segments: [{ key: 'vip', when: { 'traits.plan': 'vip' } }],
      detectors: [
        {
          key: 'lapsed',
          after: 'Order Completed',
          unless: ['Order Completed'],
          within: '2w',
          emit: 'Lapsed',
        },
      ],
    });
    expect(definition.segments).toEqual([{ key: 'vip', when: { 'traits.plan': 'vip' } }]);
    expect(definition.detectors).toEqual([
      {
        key: 'lapsed',
        after: 'Order Completed',
        unless: ['Order Completed'],
        withinMs: 14 * DAY_MS,
        emit: 'Lapsed',
      },
    ]);
  });
});

/** A detector with every field but the ones a case replaces (`{FIELDS}` lines go after `key`). */
function detector(fields: string): string {
  return `${HEADER}detectors:\n  - key: abandon\n${fields}`;
}

describe('segment and detector errors point at file:line:col and the field', () => {
  it.each<[string, string, string, RegExp]>([
    [
      'a misspelt section, with a suggestion',
      `${HEADER}segmnts: []\n`,
      'shop.yaml:11:1 segmnts',
      /unknown field `segmnts`: did you mean `segments`\?/,
    ],
    [
      'a segment without `when`',
      `${HEADER}segments:\n  - key: vip\n`,
      'shop.yaml:12:5 segments[0].when',
      /`when` is required: A condition/,
    ],
    [
      'a segment key that is not snake case',
      `${HEADER}segments:\n  - key: HighIntent\n    when: { scores.intent: 1 }\n`,
      'shop.yaml:12:10 segments[0].key',
      /`HighIntent` is not valid here: The segment key/,
    ],
    [
      'a duplicate segment key',
      `${HEADER}segments:\n  - key: vip\n    when: { traits.vip: true }\n  - key: vip\n    when: { traits.vip: true }\n`,
      'shop.yaml:14:10 segments[1].key',
      /the key `vip` is already used by segments\[0\]: each segment needs its own key/,
    ],
    [
      'a bad operator in a segment condition, at its path inside `when`',
      `${HEADER}segments:\n  - key: hot\n    when:\n      $and:\n        - scores.intent: { $gtee: 60 }\n`,
      'shop.yaml:15:35 segments[0].when.$and[0]["scores.intent"].$gtee',
      /`\$and\[0\].scores.intent.\$gtee` is not an operator on a value/,
    ],
    [
      'a segment condition on the event',
      `${HEADER}segments:\n  - key: buyers\n    when:\n      $or:\n        - scores.intent: { $gte: 1 }\n        - properties.plan: pro\n`,
      'shop.yaml:16:11 segments[0].when.$or[1]["properties.plan"]',
      /`properties.plan` is not part of the profile: a segment .* may read only traits, computed, scores, risks, lifecycle_stage, segments, .*`\$performed/,
    ],
    [
      'a segment testing a segment the file does not define, with a suggestion',
      `${HEADER}segments:\n  - key: vip\n    when: { traits.vip: true }\n  - key: hot_vip\n    when: { $inSegment: vp }\n`,
      'shop.yaml:15:25 segments[1].when.$inSegment',
      /`vp` is not a segment of this file: did you mean `vip`\?/,
    ],
    [
      'a segment counting events over a fixed range',
      `${HEADER}segments:\n  - key: old_buyers\n    when:\n      $performed: { event: Order Completed, between: [30d, 7d] }\n`,
      'shop.yaml:14:45 segments[0].when.$performed.between',
      /`between` is not supported in a segment, which counts over a sliding window: use `within: 7d`/,
    ],
    [
      'a segment testing a segment nobody defined',
      `${HEADER}segments:\n  - key: hot\n    when: { $not: { $notInSegment: churned_customers } }\n`,
      'shop.yaml:13:36 segments[0].when.$not.$notInSegment',
      /`churned_customers` is not a segment of this file: define it under `segments`/,
    ],
    [
      'segments depending on each other in a cycle',
      `${HEADER}segments:\n  - key: a\n    when: { $inSegment: b }\n  - key: b\n    when: { scores.intent: 1, $notInSegment: a }\n`,
      'shop.yaml:13:25 segments[0].when.$inSegment',
      /segments depend on each other in a cycle: a → b → a/,
    ],
    [
      'a segment depending on itself',
      `${HEADER}segments:\n  - key: loop\n    when: { $inSegment: loop }\n`,
      'shop.yaml:13:25 segments[0].when.$inSegment',
      /a cycle: loop → loop/,
    ],
    [
      'a computed trait the file does not define, with a suggestion',
      `${HEADER}segments:\n  - key: wa\n    when: { computed.prefered_channel: whatsapp }\n`,
      'shop.yaml:13:13 segments[0].when["computed.prefered_channel"]',
      /`computed.prefered_channel` names no computed trait of this file: did you mean `computed.preferred_channel`\?/,
    ],
    [
      'a score the file does not define',
      `${HEADER}segments:\n  - key: engaged\n    when: { scores.engagement: { $gte: 10 } }\n`,
      'shop.yaml:13:13 segments[0].when["scores.engagement"]',
      /`scores.engagement` names no score of this file: define it under `scores`/,
    ],
    [
      'a bad $performed window in a segment',
      `${HEADER}segments:\n  - key: recent\n    when: { $performed: { event: Pricing Viewed, within: a week } }\n`,
      'shop.yaml:13:58 segments[0].when.$performed.within',
      /`\$performed.within`/,
    ],
    [
      'a duplicate detector key',
      `${detector('    after: A\n    unless: B\n    within: 1h\n    emit: C\n')}  - key: abandon\n    after: A\n    unless: B\n    within: 1h\n    emit: C\n`,
      'shop.yaml:17:10 detectors[1].key',
      /the key `abandon` is already used by detectors\[0\]: each detector needs its own key/,
    ],
    [
      'a bad condition in a detector, at its path inside `where`',
      detector(
        '    after: A\n    where: { properties.value: { $gtt: 0 } }\n    unless: B\n    within: 1h\n    emit: C\n',
      ),
      'shop.yaml:14:40 detectors[0].where["properties.value"].$gtt',
      /`properties.value.\$gtt` is not an operator/,
    ],
    [
      'a detector reading segments',
      detector('    after: A\n    where: { $inSegment: vip }\n    unless: B\n    within: 1h\n    emit: C\n'),
      'shop.yaml:14:14 detectors[0].where.$inSegment',
      /`\$inSegment` cannot be read here: a detector tests its `where` as the event arrives, before segments/,
    ],
    [
      'a detector reading the lifecycle stage',
      detector(
        '    after: A\n    where: { lifecycle_stage: lead }\n    unless: B\n    within: 1h\n    emit: C\n',
      ),
      'shop.yaml:14:14 detectors[0].where.lifecycle_stage',
      /`lifecycle_stage` cannot be read here: .* may read only event, properties, context, traits/,
    ],
    [
      'a detector using $performed',
      detector(
        '    after: A\n    where: { $performed: { event: Order Completed } }\n    unless: B\n    within: 1h\n    emit: C\n',
      ),
      'shop.yaml:14:14 detectors[0].where.$performed',
      /`\$performed` is not available in a detector's `where`/,
    ],
    [
      'an empty `unless` list',
      detector('    after: A\n    unless: []\n    within: 1h\n    emit: C\n'),
      'shop.yaml:14:13 detectors[0].unless',
      /must list at least 1 item \(the track event name, or a list of names/,
    ],
    [
      'an empty name in `unless`',
      detector("    after: A\n    unless: [B, '']\n    within: 1h\n    emit: C\n"),
      'shop.yaml:14:17 detectors[0].unless[1]',
      /must not be empty \(a track event name, or \* for any event\)/,
    ],
    [
      'an empty `emit`',
      detector("    after: A\n    unless: B\n    within: 1h\n    emit: ''\n"),
      'shop.yaml:16:11 detectors[0].emit',
      /must not be empty \(the event recorded when the risk is set/,
    ],
    [
      'a bad wait',
      detector('    after: A\n    unless: B\n    within: half an hour\n    emit: C\n'),
      'shop.yaml:15:13 detectors[0].within',
      /`half an hour` is not a duration/,
    ],
    [
      'a detector without `within`',
      detector('    after: A\n    unless: B\n    emit: C\n'),
      'shop.yaml:12:5 detectors[0].within',
      /`within` is required: How long to wait/,
    ],
  ])('reports %s', (_name, text, path, message) => {
    const found = details(text);
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toBe(path);
    expect(found[0]?.message).toMatch(message);
  });

  it('reports every segment problem at once, in file order', () => {
    const found = details(`${HEADER}segments:
  - key: a
    when: { $inSegment: b, computed.orders: 1 }
  - key: b
    when: { $inSegment: a, event.event: X }
  - key: a
    when: { $inSegment: c }
`);
    expect(found.map((detail) => detail.path)).toEqual([
      'shop.yaml:13:25 segments[0].when.$inSegment',
      'shop.yaml:13:28 segments[0].when["computed.orders"]',
      'shop.yaml:15:28 segments[1].when["event.event"]',
      'shop.yaml:16:10 segments[2].key',
      'shop.yaml:17:25 segments[2].when.$inSegment',
    ]);
  });
});
