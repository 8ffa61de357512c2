import { describe, expect, it } from 'vitest';
import { DEMO_NETWORK_POLICY, DEMO_WORKSPACE_FILE } from '../../src/app/settings.ts';
import type { ErrorDetail } from '../../src/errors.ts';
import { parseWorkspaceDocument, parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { readWorkspaceFile } from '../../src/workspace/read-workspace-file.ts';
import { thrownTailorError } from '../support/thrown.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** A workspace with one segment and one action for journeys to name; sections follow (line 12 on). */
const HEADER = `workspace:
  id: shop
  name: Shop
segments:
  - key: vip
    when: { traits.vip: true }
actions:
  - key: nudge
    channels: [email]
    content: { email: { text: Hi } }
    value: 1
`;

/** The same workspace without actions; sections follow (line 7 on). */
const NO_ACTIONS = `workspace:
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

/** A journey `recovery` whose steps are `steps` (lines indented by six spaces, from line 16). */
function journey(steps: string, header = HEADER): string {
  return `${header}journeys:\n  - key: recovery\n    trigger: { event: X }\n    steps:\n${steps}`;
}

/** A journey `recovery` of one `exit` step whose trigger is `trigger` (at line 14). */
function triggered(trigger: string): string {
  return `${HEADER}journeys:\n  - key: recovery\n    trigger: ${trigger}\n    steps: [{ key: done, exit: true }]\n`;
}

describe('the demo workspace file', () => {
  it('recovers abandoned checkouts with a journey instead of a decision trigger', async () => {
    const demo = await readWorkspaceFile(DEMO_WORKSPACE_FILE, { network: DEMO_NETWORK_POLICY });
    expect(demo.decisions?.triggers).toEqual([]);
    expect(demo.journeys).toEqual([
      {
        key: 'checkout_recovery',
        name: 'Checkout recovery',
        trigger: { event: 'Checkout Abandoned' },
        reentry: { kind: 'after', ms: 7 * DAY_MS },
        goal: { event: 'Order Completed' },
        steps: [
          { key: 'remind', type: 'decide' },
          { key: 'pause', type: 'wait', durationMs: DAY_MS },
          {
            key: 'still_open',
            type: 'branch',
            when: { 'risks.checkout_abandonment': { $exists: true } },
            // biome-ignore lint/suspicious/noThenProperty: a branch's `then` is the workspace file's word, not a thenable
            then: 'nudge',
            else: 'done',
          },
          { key: 'nudge', type: 'send', action: 'send_personalized_checkout_reminder' },
          { key: 'done', type: 'exit' },
        ],
      },
    ]);
  });
});

describe('mapping journeys to a definition', () => {
  it('keeps a message written in a send step as a journey-only action on its channel', () => {
    const definition = parseWorkspaceYaml({
      text: `workspace: { id: shop, name: Shop }
journeys:
  - key: welcome
    trigger: { event: Signed Up }
    steps:
      - { key: hello, send: { channel: sms, content: { text: "Hi {{ profile.traits.first_name }}" } } }
`,
    });
    expect(definition.journeys?.[0]?.steps).toEqual([
      { key: 'hello', type: 'send', action: 'welcome__hello' },
    ]);
    expect(definition.decisions?.actions).toEqual([
      {
        key: 'welcome__hello',
        channels: ['sms'],
        content: { sms: { text: 'Hi {{ profile.traits.first_name }}' } },
        value: 1,
        weight: 1,
        propensity: 1,
        contextWeights: [],
        journeyOnly: true,
      },
    ]);
  });

  it('maps every step kind, with durations in milliseconds and reentry as a kind', () => {
    const definition = parseWorkspaceYaml({
      text: `${HEADER}journeys:
  - key: checkout_recovery
    name: Checkout recovery
    trigger: { event: Checkout Abandoned }
    reentry: { after: 7d }
    goal: { event: Order Completed }
    steps:
      - { key: remind, decide: true }
      - { key: pause, wait: 1d }
      - key: still_open
        branch:
          when: { risks.checkout_abandonment: { $exists: true }, $inSegment: vip }
          then: nudge
          else: done
      - { key: nudge, send: nudge }
      - { key: morning, wait_until: "10:00" }
      - { key: reply, wait_for: { event: Message Replied, timeout: 2d, on_timeout: done } }
      - { key: answered, wait_for: { event: Order Completed, timeout: 12h } }
      - { key: vip_check, branch: { when: { traits.vip: true }, then: tag } }
      - { key: tag, update: { traits: { recovery_nudged: true, nudges: 2 } } }
      - { key: done, exit: true }
  - key: welcome_vips
    trigger: { segment_entered: vip }
    reentry: always
    steps: [{ key: hello, send: nudge }]
  - key: lost_vips
    trigger: { segment_exited: vip }
    steps: [{ key: ask, decide: true }]
  - key: after_nudge
    trigger: { decision: nudge }
    reentry: always
    max_active: 3
    steps: [{ key: wait_a_day, wait: 1d }]
`,
    });
    expect(definition.journeys).toEqual([
      {
        key: 'checkout_recovery',
        name: 'Checkout recovery',
        trigger: { event: 'Checkout Abandoned' },
        reentry: { kind: 'after', ms: 7 * DAY_MS },
        goal: { event: 'Order Completed' },
        steps: [
          { key: 'remind', type: 'decide' },
          { key: 'pause', type: 'wait', durationMs: DAY_MS },
          {
            key: 'still_open',
            type: 'branch',
            when: { 'risks.checkout_abandonment': { $exists: true }, $inSegment: 'vip' },
            // biome-ignore lint/suspicious/noThenProperty: a branch's `then` is the workspace file's word, not a thenable
            then: 'nudge',
            else: 'done',
          },
          { key: 'nudge', type: 'send', action: 'nudge' },
          { key: 'morning', type: 'wait_until', time: '10:00' },
          {
            key: 'reply',
            type: 'wait_for',
            event: 'Message Replied',
            timeoutMs: 2 * DAY_MS,
            onTimeout: 'done',
          },
          { key: 'answered', type: 'wait_for', event: 'Order Completed', timeoutMs: 12 * HOUR_MS },
          // biome-ignore lint/suspicious/noThenProperty: a branch's `then` is the workspace file's word, not a thenable
          { key: 'vip_check', type: 'branch', when: { 'traits.vip': true }, then: 'tag' },
          { key: 'tag', type: 'update', traits: { recovery_nudged: true, nudges: 2 } },
          { key: 'done', type: 'exit' },
        ],
      },
      {
        key: 'welcome_vips',
        trigger: { segmentEntered: 'vip' },
        reentry: { kind: 'always' },
        steps: [{ key: 'hello', type: 'send', action: 'nudge' }],
      },
      {
        key: 'lost_vips',
        trigger: { segmentExited: 'vip' },
        reentry: { kind: 'once' },
        steps: [{ key: 'ask', type: 'decide' }],
      },
      {
        key: 'after_nudge',
        trigger: { decision: 'nudge' },
        reentry: { kind: 'always' },
        maxActive: 3,
        steps: [{ key: 'wait_a_day', type: 'wait', durationMs: DAY_MS }],
      },
    ]);
    expect(definition.journeys?.[0]?.steps.find((step) => step.key === 'reply')).not.toHaveProperty('else');
    expect(definition.journeys?.[0]?.steps.find((step) => step.key === 'answered')).not.toHaveProperty(
      'onTimeout',
    );
  });

  it('accepts a loop that waits on the way round', () => {
    const definition = parseWorkspaceYaml({
      text: journey(`      - { key: check, branch: { when: { traits.vip: true }, then: done } }
      - { key: pause, wait: 1d }
      - { key: again, branch: { when: { traits.vip: false }, then: check } }
      - { key: done, exit: true }
`),
    });
    expect(definition.journeys?.[0]?.steps.map((step) => step.type)).toEqual([
      'branch',
      'wait',
      'branch',
      'exit',
    ]);
  });

  it('leaves journeys out when the file has none', () => {
    expect(parseWorkspaceYaml({ text: HEADER })).not.toHaveProperty('journeys');
  });

  it('accepts the same document as JSON', () => {
    const definition = parseWorkspaceDocument({
      workspace: { id: 'shop', name: 'Shop' },
      journeys: [
        {
          key: 'welcome',
          trigger: { event: 'Signed Up' },
          steps: [
            { key: 'morning', wait_until: '09:30' },
            { key: 'tag', update: { traits: { welcomed: true } } },
          ],
        },
      ],
    });
    expect(definition.journeys).toEqual([
      {
        key: 'welcome',
        trigger: { event: 'Signed Up' },
        reentry: { kind: 'once' },
        steps: [
          { key: 'morning', type: 'wait_until', time: '09:30' },
          { key: 'tag', type: 'update', traits: { welcomed: true } },
        ],
      },
    ]);
  });
});

describe('journey errors point at file:line:col and the field', () => {
  it.each<[string, string, string, RegExp]>([
    [
      'a misspelt section, with a suggestion',
      `${HEADER}journey: []\n`,
      'shop.yaml:12:1 journey',
      /unknown field `journey`: did you mean `journeys`\?/,
    ],
    [
      'a duplicate journey key',
      `${HEADER}journeys:
  - { key: recovery, trigger: { event: X }, steps: [{ key: a, exit: true }] }
  - { key: recovery, trigger: { event: Y }, steps: [{ key: a, exit: true }] }
`,
      'shop.yaml:14:12 journeys[1].key',
      /the key `recovery` is already used by journeys\[0\]: each journey needs its own key/,
    ],
    [
      'a journey key that is not a plain name',
      `${HEADER}journeys:\n  - { key: Recovery, trigger: { event: X }, steps: [{ key: a, exit: true }] }\n`,
      'shop.yaml:13:12 journeys[0].key',
      /`Recovery` is not valid here: The journey key: a lowercase letter/,
    ],
    [
      'a journey without a trigger',
      `${HEADER}journeys:\n  - key: recovery\n    steps: [{ key: a, exit: true }]\n`,
      'shop.yaml:13:5 journeys[0].trigger',
      /`trigger` is required: What starts a run/,
    ],
    [
      'a journey without steps',
      `${HEADER}journeys:\n  - key: recovery\n    trigger: { event: X }\n    steps: []\n`,
      'shop.yaml:15:12 journeys[0].steps',
      /must list at least 1 item \(what a run does/,
    ],
    [
      'a trigger with none of its fields',
      triggered('{}'),
      'shop.yaml:14:14 journeys[0].trigger',
      /a trigger needs `event` .*, `segment_entered` or `segment_exited` \(a segment key\), or `decision` \(an action key\)/,
    ],
    [
      'a trigger with two fields',
      triggered('{ event: X, segment_entered: vip }'),
      'shop.yaml:14:26 journeys[0].trigger.segment_entered',
      /a journey has one trigger, and this one has `event` and `segment_entered`: keep one, or make two journeys/,
    ],
    [
      'a trigger on a segment the file does not define, with a suggestion',
      triggered('{ segment_entered: vpi }'),
      'shop.yaml:14:33 journeys[0].trigger.segment_entered',
      /`vpi` is not a segment of this file: did you mean `vip`\?/,
    ],
    [
      'a trigger on leaving a segment the file does not define',
      triggered('{ segment_exited: lapsed }'),
      'shop.yaml:14:32 journeys[0].trigger.segment_exited',
      /`lapsed` is not a segment of this file: define it under `segments` or correct the key/,
    ],
    [
      'a decision trigger on an action the file does not define, with a suggestion',
      triggered('{ decision: nudeg }'),
      'shop.yaml:14:26 journeys[0].trigger.decision',
      /`nudeg` is not an action of this file: did you mean `nudge`\?/,
    ],
    [
      'a message written in a send step whose content is not a valid template',
      journey('      - { key: hello, send: { channel: sms, content: { text: "Hi {{ name | bogus }}" } } }\n'),
      'shop.yaml:16:62 journeys[0].steps[0].send.content.text',
      /not a valid Liquid template/,
    ],
    [
      'a message written in a send step whose action key the file already uses',
      `${HEADER.replace('  - key: nudge', '  - key: recovery__hello')}journeys:\n  - key: recovery\n    trigger: { event: X }\n    steps:\n      - { key: hello, send: { channel: email, content: { text: Hi } } }\n`,
      'shop.yaml:16:23 journeys[0].steps[0].send',
      /kept as the action `recovery__hello`, and the file already has an action with that key/,
    ],
    [
      'max_active on a journey a person enters once',
      `${HEADER}journeys:\n  - key: recovery\n    trigger: { event: X }\n    max_active: 2\n    steps: [{ key: a, exit: true }]\n`,
      'shop.yaml:15:17 journeys[0].max_active',
      /a person enters this journey once .* set `reentry: always`/,
    ],
    [
      'an unknown reentry, with a suggestion',
      `${HEADER}journeys:\n  - key: recovery\n    trigger: { event: X }\n    reentry: alwyas\n    steps: [{ key: a, exit: true }]\n`,
      'shop.yaml:15:14 journeys[0].reentry',
      /`alwyas` is not accepted: did you mean `always`\?/,
    ],
    [
      'a reentry period that is not a duration',
      `${HEADER}journeys:\n  - key: recovery\n    trigger: { event: X }\n    reentry: { after: a week }\n    steps: [{ key: a, exit: true }]\n`,
      'shop.yaml:15:23 journeys[0].reentry.after',
      /`a week` is not a duration/,
    ],
    [
      'a duplicate step key',
      journey('      - { key: a, wait: 1d }\n      - { key: a, exit: true }\n'),
      'shop.yaml:17:16 journeys[0].steps[1].key',
      /the key `a` is already used by journeys\[0\]\.steps\[0\]: each step of a journey needs its own key/,
    ],
    [
      'a step that does nothing',
      journey('      - key: a\n'),
      'shop.yaml:16:9 journeys[0].steps[0]',
      /a step needs what it does: one of `decide`, `wait`, `wait_until`, `wait_for`, `branch`, `send`, `update`, `audience`, `exit`/,
    ],
    [
      'a step that does two things',
      journey('      - { key: a, wait: 1d, send: nudge }\n'),
      'shop.yaml:16:29 journeys[0].steps[0].send',
      /a step does one thing, and this one has `wait` and `send`: make them two steps/,
    ],
    [
      'a misspelt step kind, with a suggestion',
      journey('      - { key: a, wiat: 1d }\n'),
      'shop.yaml:16:19 journeys[0].steps[0].wiat',
      /unknown field `wiat`: did you mean `wait`\?/,
    ],
    [
      '`decide: false`',
      journey('      - { key: a, decide: false }\n'),
      'shop.yaml:16:27 journeys[0].steps[0].decide',
      /`decide` takes only `true`: remove the step rather than turn it off/,
    ],
    [
      'a wait that is not a duration',
      journey('      - { key: a, wait: a day }\n'),
      'shop.yaml:16:25 journeys[0].steps[0].wait',
      /`a day` is not a duration/,
    ],
    [
      'a wait_until not written HH:MM',
      journey('      - { key: a, wait_until: 10am }\n'),
      'shop.yaml:16:31 journeys[0].steps[0].wait_until',
      /`10am` is not valid here: Wait until the person's clock next shows this time of day, as HH:MM/,
    ],
    [
      'a wait_until past the end of the day',
      journey('      - { key: a, wait_until: "24:00" }\n'),
      'shop.yaml:16:31 journeys[0].steps[0].wait_until',
      /`24:00` is not valid here/,
    ],
    [
      'a wait_for without a timeout',
      journey('      - { key: a, wait_for: { event: Replied } }\n'),
      'shop.yaml:16:29 journeys[0].steps[0].wait_for.timeout',
      /`timeout` is required: How long to wait for it/,
    ],
    [
      'a wait_for timeout that is not a duration',
      journey('      - { key: a, wait_for: { event: Replied, timeout: soon } }\n'),
      'shop.yaml:16:56 journeys[0].steps[0].wait_for.timeout',
      /`soon` is not a duration/,
    ],
    [
      'an on_timeout naming no step, with a suggestion',
      journey(
        '      - { key: a, wait_for: { event: Replied, timeout: 1d, on_timeout: don } }\n      - { key: done, exit: true }\n',
      ),
      'shop.yaml:16:72 journeys[0].steps[0].wait_for.on_timeout',
      /`don` is not a step of this journey: did you mean `done`\?/,
    ],
    [
      'a branch `then` naming no step, listing the steps',
      journey(
        '      - { key: a, branch: { when: { traits.vip: true }, then: zzz } }\n      - { key: b, exit: true }\n',
      ),
      'shop.yaml:16:63 journeys[0].steps[0].branch.then',
      /`zzz` is not a step of this journey: use the key of one of its steps: `a`, `b`/,
    ],
    [
      'a branch `else` naming no step, with a suggestion',
      journey(
        '      - { key: a, branch: { when: { traits.vip: true }, then: b, else: don } }\n      - { key: b, wait: 1d }\n      - { key: done, exit: true }\n',
      ),
      'shop.yaml:16:72 journeys[0].steps[0].branch.else',
      /`don` is not a step of this journey: did you mean `done`\?/,
    ],
    [
      'a branch without `then`',
      journey('      - { key: a, branch: { when: { traits.vip: true } } }\n'),
      'shop.yaml:16:27 journeys[0].steps[0].branch.then',
      /`then` is required: The key of the step to go to when `when` holds/,
    ],
    [
      'a bad operator in a branch condition, at its path inside `when`',
      journey(
        '      - { key: a, branch: { when: { traits.plan: { $eqq: pro } }, then: b } }\n      - { key: b, exit: true }\n',
      ),
      'shop.yaml:16:58 journeys[0].steps[0].branch.when["traits.plan"].$eqq',
      /`traits.plan.\$eqq` is not an operator on a value/,
    ],
    [
      'a branch condition on the event',
      journey(
        '      - { key: a, branch: { when: { event.event: X }, then: b } }\n      - { key: b, exit: true }\n',
      ),
      'shop.yaml:16:37 journeys[0].steps[0].branch.when["event.event"]',
      /`event.event` is not part of the profile: a branch is read when a run reaches it, .* may read only traits, computed, scores, risks/,
    ],
    [
      'a branch condition using $performed',
      journey(
        '      - { key: a, branch: { when: { $performed: { event: Order Completed } }, then: b } }\n      - { key: b, exit: true }\n',
      ),
      'shop.yaml:16:37 journeys[0].steps[0].branch.when.$performed',
      /`\$performed` is not available in a branch, which reads the profile rather than the person's events/,
    ],
    [
      'a branch testing a segment the file does not define, with a suggestion',
      journey(
        '      - { key: a, branch: { when: { $inSegment: vips }, then: b } }\n      - { key: b, exit: true }\n',
      ),
      'shop.yaml:16:49 journeys[0].steps[0].branch.when.$inSegment',
      /`vips` is not a segment of this file: did you mean `vip`\?/,
    ],
    [
      'a send naming no action, with a suggestion',
      journey('      - { key: a, send: nudgee }\n'),
      'shop.yaml:16:25 journeys[0].steps[0].send',
      /`nudgee` is not an action of this file: did you mean `nudge`\?/,
    ],
    [
      'a decide step in a file without actions',
      journey('      - { key: a, decide: true }\n', NO_ACTIONS),
      'shop.yaml:11:27 journeys[0].steps[0].decide',
      /a `decide` step chooses among the actions of the file, and it has none: define them under `actions`/,
    ],
    [
      'a send step in a file without actions',
      journey('      - { key: a, send: nudge }\n', NO_ACTIONS),
      'shop.yaml:11:25 journeys[0].steps[0].send',
      /a `send` step sends an action of the file, and it has none: define `nudge` under `actions`/,
    ],
    [
      'an update without traits',
      journey('      - { key: a, update: { traits: {} } }\n'),
      'shop.yaml:16:37 journeys[0].steps[0].update.traits',
      /must hold at least 1 entry \(trait name → value to set on the profile\)/,
    ],
    [
      'a loop without a wait, at the branch that jumps back',
      journey(`      - { key: check, branch: { when: { traits.vip: true }, then: done } }
      - { key: tag, update: { traits: { seen: true } } }
      - { key: again, branch: { when: { traits.vip: false }, then: check } }
      - { key: done, exit: true }
`),
      'shop.yaml:18:68 journeys[0].steps[2].branch.then',
      /steps loop without waiting: check → tag → again → check; a run would go round them at once and without end, so put a `wait`, `wait_until` or `wait_for` step on the loop/,
    ],
    [
      'a branch that goes to itself',
      journey(
        '      - { key: spin, branch: { when: { traits.vip: true }, then: done, else: spin } }\n      - { key: done, exit: true }\n',
      ),
      'shop.yaml:16:78 journeys[0].steps[0].branch.else',
      /steps loop without waiting: spin → spin/,
    ],
  ])('reports %s', (_name, text, path, message) => {
    const found = details(text);
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toBe(path);
    expect(found[0]?.message).toMatch(message);
  });

  it('reports every journey problem at once, in file order', () => {
    const found = details(`${HEADER}journeys:
  - key: recovery
    trigger: { segment_entered: nobody }
    steps:
      - { key: a, send: nobody }
      - { key: a, wait: forever }
      - { key: b, branch: { when: { event.event: X }, then: nowhere } }
`);
    expect(found.map((detail) => detail.path)).toEqual([
      'shop.yaml:14:33 journeys[0].trigger.segment_entered',
      'shop.yaml:16:25 journeys[0].steps[0].send',
      'shop.yaml:17:16 journeys[0].steps[1].key',
      'shop.yaml:17:25 journeys[0].steps[1].wait',
      'shop.yaml:18:37 journeys[0].steps[2].branch.when["event.event"]',
      'shop.yaml:18:61 journeys[0].steps[2].branch.then',
    ]);
  });
});
