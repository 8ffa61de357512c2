import { describe, expect, it } from 'vitest';
import { chooseChannel } from '../../src/decide/choose-channel.ts';
import { compileDecisions } from '../../src/decide/compile-decisions.ts';
import { type ActionDecision, decideAction, type PropensitySource } from '../../src/decide/decide-action.ts';
import type { ActionDef, DecisionsDef } from '../../src/decide/decision-def.ts';
import { holdoutBucket, isHeldOut } from '../../src/decide/holdout.ts';
import { type ContactRecord, recordContact } from '../../src/profile/contact-history.ts';
import {
  ASHA,
  action,
  CHECKOUT_REMINDER,
  DAY,
  decisions,
  HOUR,
  NEWSLETTER,
  NOW,
  personContext,
  SCORES,
  track,
} from './decision-fixtures.ts';

const WHATSAPP_DAILY = { caps: [{ channel: 'whatsapp', max: 1, perMs: DAY }] };

/** Decides for a person with the given decisions section. */
function decide(
  def: Partial<DecisionsDef>,
  person: Record<string, unknown>,
  options: { contacts?: ContactRecord[]; timezone?: string; propensity?: PropensitySource; id?: string } = {},
): ActionDecision {
  return decideAction({
    compiled: compileDecisions(decisions(def)),
    profile: {
      id: options.id ?? 'prf_asha',
      context: person,
      contacts: options.contacts ?? [],
      timezone: options.timezone,
    },
    now: NOW,
    propensity: options.propensity,
    scores: SCORES,
    trace: true,
  });
}

/** Asha's contacts with one WhatsApp message an hour ago. */
function whatsappAnHourAgo(): ContactRecord[] {
  const contacts: ContactRecord[] = [];
  recordContact(contacts, track('Message Sent', NOW - HOUR, { channel: 'whatsapp', action: 'order_update' }));
  return contacts;
}

describe('the demo: a checkout reminder on WhatsApp', () => {
  it('sends the personalised reminder on WhatsApp at once', () => {
    const decision = decide(
      { actions: [NEWSLETTER, CHECKOUT_REMINDER], contactPolicy: WHATSAPP_DAILY },
      ASHA,
    );
    const { trace, ...rest } = decision;
    expect(rest).toEqual({
      outcome: 'action',
      action: 'send_personalized_checkout_reminder',
      channel: 'whatsapp',
      timing: 'immediate',
      send_at: null,
      content: { body: 'Hi Asha, your Blue Runner shoes is waiting' },
      reason: 'highest priority: propensity 0.6 × context 1.5 × value 50 × weight 1 = 45',
      context: {
        intent: 'high',
        risk: 'checkout_abandonment',
        preferred_channel: 'whatsapp',
        recommended_action: 'send_personalized_checkout_reminder',
        timing: 'immediate',
      },
      decided_at: '2026-03-10T06:00:00.000Z',
    });
    expect(trace?.winner).toEqual({ action: 'send_personalized_checkout_reminder', channel: 'whatsapp' });
    expect(trace?.candidates.map((entry) => entry.action)).toEqual([
      'send_newsletter',
      'send_personalized_checkout_reminder',
    ]);
    expect(trace?.candidates[0]?.priority).toBe(1);
    expect(trace?.candidates[1]?.priority).toBeCloseTo(45);
  });

  it('with a WhatsApp message an hour ago and a cap of 1 a day, falls to email', () => {
    const decision = decide({ actions: [CHECKOUT_REMINDER], contactPolicy: WHATSAPP_DAILY }, ASHA, {
      contacts: whatsappAnHourAgo(),
    });
    expect(decision).toMatchObject({
      outcome: 'action',
      channel: 'email',
      content: {
        subject: 'Asha, you left something behind',
        body: 'Your Blue Runner shoes is still in your cart',
      },
    });
    expect(decision.trace?.candidates[0]?.channels).toEqual([
      {
        channel: 'whatsapp',
        allowed: false,
        reason: 'cap: at most 1 whatsapp per 1d (1 sent at 2026-03-10T05:00:00.000Z)',
      },
      { channel: 'email', allowed: true },
    ]);
  });

  it('with WhatsApp as the only channel, the cap leaves no action, and says so', () => {
    const whatsappOnly: ActionDef = { ...CHECKOUT_REMINDER, channels: ['whatsapp'] };
    const decision = decide({ actions: [whatsappOnly], contactPolicy: WHATSAPP_DAILY }, ASHA, {
      contacts: whatsappAnHourAgo(),
    });
    expect(decision).toMatchObject({ outcome: 'no_action', action: null, channel: null, content: null });
    expect(decision.reason).toBe(
      'no usable channel: send_personalized_checkout_reminder ' +
        '(whatsapp: cap: at most 1 whatsapp per 1d (1 sent at 2026-03-10T05:00:00.000Z))',
    );
    expect(decision.context.recommended_action).toBe('no_action');
  });

  it('in quiet hours, delays to their end in the person’s time zone', () => {
    const decision = decide(
      {
        actions: [CHECKOUT_REMINDER],
        contactPolicy: {
          caps: [],
          quietHours: { start: '21:00', end: '08:00', defaultTimezone: 'Asia/Kolkata' },
        },
      },
      ASHA,
      { timezone: 'America/New_York' },
    );
    expect(decision).toMatchObject({
      outcome: 'action',
      timing: 'delayed',
      send_at: '2026-03-10T12:00:00.000Z',
    });
    expect(decision.context.timing).toBe('delayed');
    const atHome = decide(
      {
        actions: [CHECKOUT_REMINDER],
        contactPolicy: {
          caps: [],
          quietHours: { start: '21:00', end: '08:00', defaultTimezone: 'Asia/Kolkata' },
        },
      },
      ASHA,
    );
    expect(atHome).toMatchObject({ timing: 'immediate', send_at: null });
  });
});

describe('candidates and arbitration', () => {
  it('records each failed gate with the values it read', () => {
    const decision = decide({ actions: [CHECKOUT_REMINDER] }, personContext({ scores: { intent: 20 } }));
    expect(decision.outcome).toBe('no_action');
    expect(decision.reason).toBe('no action is eligible, applicable and suitable');
    expect(decision.trace?.candidates[0]?.conditions).toEqual([
      { condition: 'eligibility', holds: true },
      { condition: 'applicability', holds: false, reads: { 'risks.checkout_abandonment': null } },
      { condition: 'suitability', holds: false, reads: { 'scores.intent': 20 } },
    ]);
  });

  it.each<[string, ActionDef[], PropensitySource | undefined, string]>([
    [
      'the higher priority wins',
      [action({ key: 'a', value: 5 }), action({ key: 'b', value: 8 })],
      undefined,
      'b',
    ],
    [
      'a tie goes to the first defined',
      [action({ key: 'a', value: 5 }), action({ key: 'b', value: 5 })],
      undefined,
      'a',
    ],
    [
      'equal by weight and value in other proportions still tie',
      [action({ key: 'a', value: 4, weight: 2 }), action({ key: 'b', value: 8, weight: 1 })],
      undefined,
      'a',
    ],
    [
      'a propensity source changes the order',
      [action({ key: 'a', value: 5 }), action({ key: 'b', value: 5 })],
      (candidate) => (candidate.key === 'b' ? 0.9 : 0.5),
      'b',
    ],
    [
      'a context weight that holds multiplies',
      [
        action({ key: 'a', value: 5 }),
        action({ key: 'b', value: 3, contextWeights: [{ when: { 'traits.vip': true }, weight: 2 }] }),
      ],
      undefined,
      'b',
    ],
  ])('%s', (_name, actions, propensity, winner) => {
    const person = personContext({ traits: { vip: true }, identifiers: { email: ['a@x.in'] } });
    expect(decide({ actions }, person, { propensity }).action).toBe(winner);
  });

  it('gives no action when no priority is positive', () => {
    const decision = decide(
      { actions: [action({ key: 'a', value: 0 })] },
      personContext({ identifiers: { email: ['a@x.in'] } }),
    );
    expect(decision).toMatchObject({ outcome: 'no_action', reason: 'no action has a positive priority' });
  });

  it('moves to the next candidate when the best has no usable channel', () => {
    const actions = [
      action({ key: 'big', value: 20, channels: ['push'], content: { push: { t: 'x' } } }),
      action({ key: 'small' }),
    ];
    const decision = decide({ actions }, personContext({ identifiers: { email: ['a@x.in'] } }));
    expect(decision.action).toBe('small');
    expect(decision.trace?.candidates[0]?.channels).toEqual([
      { channel: 'push', allowed: false, reason: 'unreachable: no device_token identifier' },
    ]);
  });
});

describe('channel choice: preference, consent and reachability', () => {
  const channels = ['email', 'sms', 'whatsapp', 'push', 'in_app'];
  it.each<[string, Record<string, unknown>, string | null]>([
    ['nothing known: in_app, which needs nothing', personContext({}), 'in_app'],
    [
      'the business order first',
      personContext({ identifiers: { email: ['a@x.in'], phone: ['+1'] } }),
      'email',
    ],
    [
      'the preferred channel first',
      personContext({
        computed: { preferred_channel: 'sms' },
        identifiers: { email: ['a@x.in'], phone: ['+1'] },
      }),
      'sms',
    ],
    [
      'consent withdrawn skips a channel',
      personContext({ consent: { email: false }, identifiers: { email: ['a@x.in'], phone: ['+1'] } }),
      'sms',
    ],
    [
      'marketing consent withdrawn skips it too',
      personContext({
        consent: { 'email.marketing': false },
        identifiers: { email: ['a@x.in'], whatsapp: ['+1'] },
      }),
      'sms',
    ],
    ['a device token reaches push', personContext({ identifiers: { device_token: ['tok'] } }), 'push'],
  ])('%s', (_name, person, expected) => {
    const choice = chooseChannel({
      action: { key: 'a', channels },
      profile: person,
      contacts: [],
      policy: { caps: [] },
      now: NOW,
    });
    expect(choice.channel).toBe(expected);
  });

  it('records why each refused channel was refused', () => {
    const choice = chooseChannel({
      action: { key: 'a', channels: ['email', 'whatsapp'] },
      profile: personContext({ consent: { email: false }, identifiers: { email: ['a@x.in'] } }),
      contacts: [],
      policy: { caps: [] },
      now: NOW,
    });
    expect(choice).toEqual({
      channel: null,
      tried: [
        { channel: 'email', allowed: false, reason: 'consent: email is not granted' },
        { channel: 'whatsapp', allowed: false, reason: 'unreachable: no phone or whatsapp identifier' },
      ],
    });
  });
});

describe('holdout', () => {
  it('is stable: the same id always gets the same answer', () => {
    for (const id of ['prf_1', 'prf_2', 'prf_abc'])
      expect(holdoutBucket('salt-1', id)).toBe(holdoutBucket('salt-1', id));
  });

  it.each([5, 10, 50])('holds out about %i%% of 10,000 ids', (percent) => {
    let held = 0;
    for (let i = 0; i < 10_000; i += 1) if (isHeldOut({ percent, salt: 'q3' }, `prf_${i}`)) held += 1;
    expect(Math.abs((held / 10_000) * 100 - percent)).toBeLessThanOrEqual(1.5);
  });

  it('gives a held-out person no action, while the trace names what would have won', () => {
    const id = Array.from({ length: 200 }, (_, i) => `prf_${i}`).find((candidate) =>
      isHeldOut({ percent: 10, salt: 's' }, candidate),
    );
    expect(id).toBeDefined();
    const decision = decide({ actions: [CHECKOUT_REMINDER], holdout: { percent: 10, salt: 's' } }, ASHA, {
      id: id ?? '',
    });
    expect(decision).toMatchObject({
      outcome: 'held_out',
      action: null,
      channel: null,
      content: null,
      reason: 'holdout: in the 10% control group',
    });
    expect(decision.trace?.winner).toEqual({
      action: 'send_personalized_checkout_reminder',
      channel: 'whatsapp',
    });
    expect(decision.trace?.holdout?.heldOut).toBe(true);
  });
});
