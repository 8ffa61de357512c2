import { describe, expect, it } from 'vitest';
import { compileJourneys } from '../../src/journey/compile-journeys.ts';
import type { JourneyDef, JourneyStepDef, ReentryDef } from '../../src/journey/journey-def.ts';
import { JourneyVersions, journeysOf } from '../../src/journey/journeys-in-force.ts';
import {
  advanceTo,
  type JourneyChange,
  type JourneyEffect,
  MAX_RUN_STEPS,
  nextJourneyDue,
  onEvent,
  releaseRuns,
} from '../../src/journey/step-journeys.ts';
import type { JourneyState, RunOutcome } from '../../src/profile/journey-state.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Friday 1 March 2024, 12:00 UTC (17:30 in Kolkata). */
const T0 = Date.UTC(2024, 2, 1, 12, 0);

/** A branch step (built here: an object literal with a `then` property trips the linter). */
function branch(key: string, when: unknown, then: string, otherwise?: string): JourneyStepDef {
  const step: Record<string, unknown> = { key, type: 'branch', when };
  step['then'] = then;
  if (otherwise !== undefined) step['else'] = otherwise;
  return step as unknown as JourneyStepDef;
}

/** Checkout recovery: decide → wait 1d → branch on the cart value → decide → exit. */
const CHECKOUT: JourneyDef = {
  key: 'checkout_recovery',
  trigger: { event: 'Checkout Abandoned' },
  reentry: { kind: 'after', ms: 7 * DAY },
  goal: { event: 'Order Completed' },
  steps: [
    { key: 'nudge', type: 'decide' },
    { key: 'pause', type: 'wait', durationMs: DAY },
    branch('high_value', { 'traits.cart_value': { $gte: 100 } }, 'offer', 'done'),
    { key: 'offer', type: 'decide' },
    { key: 'done', type: 'exit' },
  ],
};

const morning = (time: string): JourneyDef => ({
  key: 'morning',
  trigger: { event: 'Signed Up' },
  reentry: { kind: 'always' },
  steps: [
    { key: 'sleep', type: 'wait_until', time },
    { key: 'hello', type: 'send', action: 'welcome' },
  ],
});

const confirm = (onTimeout?: string): JourneyDef => ({
  key: 'confirm',
  trigger: { event: 'Signed Up' },
  reentry: { kind: 'once' },
  goal: { event: 'Account Deleted' },
  steps: [
    { key: 'ask', type: 'send', action: 'confirm_email' },
    { key: 'await', type: 'wait_for', event: 'Email Confirmed', timeoutMs: 2 * DAY, onTimeout },
    { key: 'thanks', type: 'send', action: 'thanks' },
    { key: 'stop', type: 'exit' },
    { key: 'remind', type: 'send', action: 'reminder' },
  ],
});

const promo = (reentry: ReentryDef): JourneyDef => ({
  key: 'promo',
  trigger: { event: 'Pricing Viewed' },
  reentry,
  steps: [
    { key: 'offer', type: 'send', action: 'discount' },
    { key: 'cool_off', type: 'wait', durationMs: DAY },
  ],
});

const WIN_BACK: JourneyDef = {
  key: 'win_back',
  trigger: { segmentEntered: 'lapsed' },
  reentry: { kind: 'always' },
  steps: [{ key: 'mail', type: 'send', action: 'win_back' }],
};

const FAREWELL: JourneyDef = {
  key: 'farewell',
  trigger: { segmentExited: 'trial' },
  reentry: { kind: 'always' },
  steps: [
    { key: 'mark', type: 'update', traits: { trial_over: true } },
    { key: 'ask', type: 'decide' },
  ],
};

const AFTER_OFFER: JourneyDef = {
  key: 'after_offer',
  trigger: { decision: 'discount' },
  reentry: { kind: 'once' },
  steps: [
    { key: 'settle', type: 'wait', durationMs: DAY },
    { key: 'mark', type: 'update', traits: { offered: true } },
  ],
};

/** A follow-up per order: each order starts its own run, up to two at once. */
const FOLLOW_UP: JourneyDef = {
  key: 'follow_up',
  trigger: { event: 'Order Completed' },
  reentry: { kind: 'always' },
  maxActive: 2,
  steps: [
    { key: 'settle', type: 'wait', durationMs: DAY },
    { key: 'ask', type: 'send', action: 'review_request' },
  ],
};

const LOOP: JourneyDef = {
  key: 'loop',
  trigger: { event: 'Pricing Viewed' },
  reentry: { kind: 'once' },
  steps: [branch('ping', {}, 'pong'), branch('pong', {}, 'ping')],
};

/**
 * One step of a scenario: an event at `at` (timers due by then fire first), the clock moving,
 * traits changing, the workspace redefined, or a journey paused or resumed at `at`.
 */
type Action =
  | { event: string; at: number; segment?: string; action?: string; decidedBy?: string }
  | { advance: number }
  | { traits: Record<string, unknown> }
  | { redefine: JourneyDef[]; at: number }
  | { pause: string; at: number }
  | { resume: string; at: number };

interface Row {
  name: string;
  journeys: JourneyDef[];
  timezone?: string;
  traits?: Record<string, unknown>;
  actions: Action[];
  /** The journey state at the end (the history's counts by step and outcome are checked apart). */
  state: JourneyState;
  /** `nextJourneyDue` at the end; `null` for none. */
  due: number | null;
  changes: JourneyChange[];
  effects: JourneyEffect[];
}

const entered = (journey: string, at: number): JourneyChange => ({
  name: 'Journey Entered',
  properties: { journey },
  at,
});
const steps = (journey: string, at: number, ...keys: string[]): JourneyChange[] =>
  keys.map((step) => ({ name: 'Journey Step', properties: { journey, step }, at }));
const ended = (journey: string, outcome: RunOutcome, at: number, reason?: string): JourneyChange => ({
  name: 'Journey Ended',
  properties: reason === undefined ? { journey, outcome } : { journey, outcome, reason },
  at,
});
const decide = (journey: string, step: string, entry: number, at: number): JourneyEffect => ({
  kind: 'decide',
  journey,
  step,
  entry,
  at,
});
const send = (journey: string, step: string, action: string, entry: number, at: number): JourneyEffect => ({
  kind: 'send',
  journey,
  step,
  entry,
  action,
  at,
});
const history = (entries: number, lastEnteredAt: number, lastOutcome?: RunOutcome) =>
  lastOutcome === undefined ? { entries, lastEnteredAt } : { entries, lastEnteredAt, lastOutcome };

const waitUntilRow = (
  name: string,
  timezone: string | undefined,
  time: string,
  at: number,
  due: number,
): Row => ({
  name,
  journeys: [morning(time)],
  timezone,
  actions: [{ event: 'Signed Up', at }, { advance: due - 1 }],
  state: {
    active: { morning: { version: 1, step: 0, enteredAt: at, until: due, path: [] } },
    history: { morning: history(1, at) },
  },
  due,
  changes: [entered('morning', at)],
  effects: [],
});

const ROWS: Row[] = [
  {
    name: 'checkout recovery: a high-value cart gets a second decision a day later',
    journeys: [CHECKOUT],
    traits: { cart_value: 150 },
    actions: [{ event: 'Checkout Abandoned', at: T0 }, { advance: T0 + 2 * DAY }],
    state: { active: {}, history: { checkout_recovery: history(1, T0, 'exited') } },
    due: null,
    changes: [
      entered('checkout_recovery', T0),
      ...steps('checkout_recovery', T0, 'nudge'),
      ...steps('checkout_recovery', T0 + DAY, 'pause', 'high_value', 'offer', 'done'),
      ended('checkout_recovery', 'exited', T0 + DAY),
    ],
    effects: [decide('checkout_recovery', 'nudge', 1, T0), decide('checkout_recovery', 'offer', 1, T0 + DAY)],
  },
  {
    name: 'checkout recovery: a small cart branches straight to the exit',
    journeys: [CHECKOUT],
    traits: { cart_value: 20 },
    actions: [{ event: 'Checkout Abandoned', at: T0 }, { advance: T0 + 2 * DAY }],
    state: { active: {}, history: { checkout_recovery: history(1, T0, 'exited') } },
    due: null,
    changes: [
      entered('checkout_recovery', T0),
      ...steps('checkout_recovery', T0, 'nudge'),
      ...steps('checkout_recovery', T0 + DAY, 'pause', 'high_value', 'done'),
      ended('checkout_recovery', 'exited', T0 + DAY),
    ],
    effects: [decide('checkout_recovery', 'nudge', 1, T0)],
  },
  {
    name: 'checkout recovery: the branch reads the context when the wait ends',
    journeys: [CHECKOUT],
    traits: { cart_value: 20 },
    actions: [
      { event: 'Checkout Abandoned', at: T0 },
      { traits: { cart_value: 300 } },
      { advance: T0 + 2 * DAY },
    ],
    state: { active: {}, history: { checkout_recovery: history(1, T0, 'exited') } },
    due: null,
    changes: [
      entered('checkout_recovery', T0),
      ...steps('checkout_recovery', T0, 'nudge'),
      ...steps('checkout_recovery', T0 + DAY, 'pause', 'high_value', 'offer', 'done'),
      ended('checkout_recovery', 'exited', T0 + DAY),
    ],
    effects: [decide('checkout_recovery', 'nudge', 1, T0), decide('checkout_recovery', 'offer', 1, T0 + DAY)],
  },
  {
    name: 'checkout recovery: waiting mid-way, the run is stored with its wait',
    journeys: [CHECKOUT],
    actions: [{ event: 'Checkout Abandoned', at: T0 }, { advance: T0 + DAY - 1 }],
    state: {
      active: { checkout_recovery: { version: 1, step: 1, enteredAt: T0, until: T0 + DAY, path: ['nudge'] } },
      history: { checkout_recovery: history(1, T0) },
    },
    due: T0 + DAY,
    changes: [entered('checkout_recovery', T0), ...steps('checkout_recovery', T0, 'nudge')],
    effects: [decide('checkout_recovery', 'nudge', 1, T0)],
  },
  {
    name: 'checkout recovery: the goal ends the waiting run early as converted',
    journeys: [CHECKOUT],
    traits: { cart_value: 150 },
    actions: [
      { event: 'Checkout Abandoned', at: T0 },
      { event: 'Order Completed', at: T0 + 2 * HOUR },
      { advance: T0 + 3 * DAY },
    ],
    state: { active: {}, history: { checkout_recovery: history(1, T0, 'converted') } },
    due: null,
    changes: [
      entered('checkout_recovery', T0),
      ...steps('checkout_recovery', T0, 'nudge'),
      ended('checkout_recovery', 'converted', T0 + 2 * HOUR),
    ],
    effects: [decide('checkout_recovery', 'nudge', 1, T0)],
  },
  {
    name: 'the goal event without a run in progress does nothing',
    journeys: [CHECKOUT],
    actions: [{ event: 'Order Completed', at: T0 }],
    state: { active: {}, history: {} },
    due: null,
    changes: [],
    effects: [],
  },
  waitUntilRow(
    'wait_until 09:00 in Asia/Kolkata at 17:30 there: the next morning',
    'Asia/Kolkata',
    '09:00',
    T0,
    Date.UTC(2024, 2, 2, 3, 30),
  ),
  waitUntilRow(
    'wait_until 18:00 in Asia/Kolkata at 17:30 there: the same evening',
    'Asia/Kolkata',
    '18:00',
    T0,
    Date.UTC(2024, 2, 1, 12, 30),
  ),
  waitUntilRow(
    'wait_until 09:00 in Asia/Kolkata at exactly 09:00 there: strictly after, the next day',
    'Asia/Kolkata',
    '09:00',
    Date.UTC(2024, 2, 1, 3, 30),
    Date.UTC(2024, 2, 2, 3, 30),
  ),
  waitUntilRow(
    'wait_until 09:00 in America/New_York over the spring-forward night: 22 hours later',
    'America/New_York',
    '09:00',
    Date.UTC(2024, 2, 9, 15, 0),
    Date.UTC(2024, 2, 10, 13, 0),
  ),
  waitUntilRow(
    'wait_until 09:00 in America/New_York over the fall-back night: 24 hours later',
    'America/New_York',
    '09:00',
    Date.UTC(2024, 10, 2, 14, 0),
    Date.UTC(2024, 10, 3, 14, 0),
  ),
  waitUntilRow(
    'wait_until 01:30 in America/New_York during the repeated hour: the second 01:30',
    'America/New_York',
    '01:30',
    Date.UTC(2024, 10, 3, 5, 45),
    Date.UTC(2024, 10, 3, 6, 30),
  ),
  waitUntilRow(
    'wait_until 02:30 in America/New_York on the night the clock skips it: the moment of the jump',
    'America/New_York',
    '02:30',
    Date.UTC(2024, 2, 10, 5, 0),
    Date.UTC(2024, 2, 10, 7, 0),
  ),
  waitUntilRow('wait_until without a time zone: UTC', undefined, '09:00', T0, Date.UTC(2024, 2, 2, 9, 0)),
  waitUntilRow(
    'wait_until with an unknown time zone: UTC',
    'Mars/Olympus_Mons',
    '09:00',
    T0,
    Date.UTC(2024, 2, 2, 9, 0),
  ),
  {
    name: 'wait_until: the run goes on at the local time',
    journeys: [morning('09:00')],
    timezone: 'America/New_York',
    actions: [{ event: 'Signed Up', at: Date.UTC(2024, 2, 9, 15, 0) }, { advance: Date.UTC(2024, 2, 11) }],
    state: { active: {}, history: { morning: history(1, Date.UTC(2024, 2, 9, 15, 0), 'completed') } },
    due: null,
    changes: [
      entered('morning', Date.UTC(2024, 2, 9, 15, 0)),
      ...steps('morning', Date.UTC(2024, 2, 10, 13, 0), 'sleep', 'hello'),
      ended('morning', 'completed', Date.UTC(2024, 2, 10, 13, 0)),
    ],
    effects: [send('morning', 'hello', 'welcome', 1, Date.UTC(2024, 2, 10, 13, 0))],
  },
  {
    name: 'wait_for reached: the run goes on with the next step',
    journeys: [confirm('remind')],
    actions: [
      { event: 'Signed Up', at: T0 },
      { event: 'Email Confirmed', at: T0 + HOUR },
    ],
    state: { active: {}, history: { confirm: history(1, T0, 'exited') } },
    due: null,
    changes: [
      entered('confirm', T0),
      ...steps('confirm', T0, 'ask'),
      ...steps('confirm', T0 + HOUR, 'await', 'thanks', 'stop'),
      ended('confirm', 'exited', T0 + HOUR),
    ],
    effects: [
      send('confirm', 'ask', 'confirm_email', 1, T0),
      send('confirm', 'thanks', 'thanks', 1, T0 + HOUR),
    ],
  },
  {
    name: 'wait_for waiting: the run holds the event and the time-out',
    journeys: [confirm()],
    actions: [
      { event: 'Signed Up', at: T0 },
      { event: 'Page Viewed', at: T0 + HOUR },
    ],
    state: {
      active: {
        confirm: {
          version: 1,
          step: 1,
          enteredAt: T0,
          until: T0 + 2 * DAY,
          waitingFor: 'Email Confirmed',
          path: ['ask'],
        },
      },
      history: { confirm: history(1, T0) },
    },
    due: T0 + 2 * DAY,
    changes: [entered('confirm', T0), ...steps('confirm', T0, 'ask')],
    effects: [send('confirm', 'ask', 'confirm_email', 1, T0)],
  },
  {
    name: 'wait_for timed out without onTimeout: the run ends timed_out',
    journeys: [confirm()],
    actions: [{ event: 'Signed Up', at: T0 }, { advance: T0 + 3 * DAY }],
    state: { active: {}, history: { confirm: history(1, T0, 'timed_out') } },
    due: null,
    changes: [
      entered('confirm', T0),
      ...steps('confirm', T0, 'ask'),
      ...steps('confirm', T0 + 2 * DAY, 'await'),
      ended('confirm', 'timed_out', T0 + 2 * DAY),
    ],
    effects: [send('confirm', 'ask', 'confirm_email', 1, T0)],
  },
  {
    name: 'wait_for timed out with onTimeout: the run goes to that step',
    journeys: [confirm('remind')],
    actions: [{ event: 'Signed Up', at: T0 }, { advance: T0 + 3 * DAY }],
    state: { active: {}, history: { confirm: history(1, T0, 'completed') } },
    due: null,
    changes: [
      entered('confirm', T0),
      ...steps('confirm', T0, 'ask'),
      ...steps('confirm', T0 + 2 * DAY, 'await', 'remind'),
      ended('confirm', 'completed', T0 + 2 * DAY),
    ],
    effects: [
      send('confirm', 'ask', 'confirm_email', 1, T0),
      send('confirm', 'remind', 'reminder', 1, T0 + 2 * DAY),
    ],
  },
  {
    name: 'wait_for: the awaited event after the time-out comes too late',
    journeys: [confirm()],
    actions: [
      { event: 'Signed Up', at: T0 },
      { event: 'Email Confirmed', at: T0 + 3 * DAY },
    ],
    state: { active: {}, history: { confirm: history(1, T0, 'timed_out') } },
    due: null,
    changes: [
      entered('confirm', T0),
      ...steps('confirm', T0, 'ask'),
      ...steps('confirm', T0 + 2 * DAY, 'await'),
      ended('confirm', 'timed_out', T0 + 2 * DAY),
    ],
    effects: [send('confirm', 'ask', 'confirm_email', 1, T0)],
  },
  {
    name: 'wait_for: the goal ends the waiting run early',
    journeys: [confirm('remind')],
    actions: [
      { event: 'Signed Up', at: T0 },
      { event: 'Account Deleted', at: T0 + HOUR },
      { event: 'Email Confirmed', at: T0 + 2 * HOUR },
    ],
    state: { active: {}, history: { confirm: history(1, T0, 'converted') } },
    due: null,
    changes: [
      entered('confirm', T0),
      ...steps('confirm', T0, 'ask'),
      ended('confirm', 'converted', T0 + HOUR),
    ],
    effects: [send('confirm', 'ask', 'confirm_email', 1, T0)],
  },
  {
    name: 'reentry once: never again, even after the run ended',
    journeys: [promo({ kind: 'once' })],
    actions: [
      { event: 'Pricing Viewed', at: T0 },
      { event: 'Pricing Viewed', at: T0 + HOUR },
      { event: 'Pricing Viewed', at: T0 + 30 * DAY },
    ],
    state: { active: {}, history: { promo: history(1, T0, 'completed') } },
    due: null,
    changes: [
      entered('promo', T0),
      ...steps('promo', T0, 'offer'),
      ...steps('promo', T0 + DAY, 'cool_off'),
      ended('promo', 'completed', T0 + DAY),
    ],
    effects: [send('promo', 'offer', 'discount', 1, T0)],
  },
  {
    name: 'reentry always: not while a run is active, again once it ended',
    journeys: [promo({ kind: 'always' })],
    actions: [
      { event: 'Pricing Viewed', at: T0 },
      { event: 'Pricing Viewed', at: T0 + HOUR },
      { event: 'Pricing Viewed', at: T0 + 3 * DAY },
    ],
    state: {
      active: {
        promo: { version: 1, step: 1, enteredAt: T0 + 3 * DAY, until: T0 + 4 * DAY, path: ['offer'] },
      },
      history: { promo: history(2, T0 + 3 * DAY, 'completed') },
    },
    due: T0 + 4 * DAY,
    changes: [
      entered('promo', T0),
      ...steps('promo', T0, 'offer'),
      ...steps('promo', T0 + DAY, 'cool_off'),
      ended('promo', 'completed', T0 + DAY),
      entered('promo', T0 + 3 * DAY),
      ...steps('promo', T0 + 3 * DAY, 'offer'),
    ],
    effects: [send('promo', 'offer', 'discount', 1, T0), send('promo', 'offer', 'discount', 2, T0 + 3 * DAY)],
  },
  {
    name: 'reentry after 7d: not 3 days after the last entry, again 7 days after',
    journeys: [promo({ kind: 'after', ms: 7 * DAY })],
    actions: [
      { event: 'Pricing Viewed', at: T0 },
      { event: 'Pricing Viewed', at: T0 + 3 * DAY },
      { event: 'Pricing Viewed', at: T0 + 7 * DAY - MINUTE },
      { event: 'Pricing Viewed', at: T0 + 7 * DAY },
    ],
    state: {
      active: {
        promo: { version: 1, step: 1, enteredAt: T0 + 7 * DAY, until: T0 + 8 * DAY, path: ['offer'] },
      },
      history: { promo: history(2, T0 + 7 * DAY, 'completed') },
    },
    due: T0 + 8 * DAY,
    changes: [
      entered('promo', T0),
      ...steps('promo', T0, 'offer'),
      ...steps('promo', T0 + DAY, 'cool_off'),
      ended('promo', 'completed', T0 + DAY),
      entered('promo', T0 + 7 * DAY),
      ...steps('promo', T0 + 7 * DAY, 'offer'),
    ],
    effects: [send('promo', 'offer', 'discount', 1, T0), send('promo', 'offer', 'discount', 2, T0 + 7 * DAY)],
  },
  {
    name: 'segment triggers: entering `lapsed` and exiting `trial` start runs, the opposite moves do not',
    journeys: [WIN_BACK, FAREWELL],
    actions: [
      { event: 'Segment Entered', segment: 'trial', at: T0 },
      { event: 'Segment Exited', segment: 'lapsed', at: T0 },
      { event: 'Segment Entered', segment: 'lapsed', at: T0 + HOUR },
      { event: 'Segment Exited', segment: 'trial', at: T0 + 2 * HOUR },
    ],
    state: {
      active: {},
      history: {
        win_back: history(1, T0 + HOUR, 'completed'),
        farewell: history(1, T0 + 2 * HOUR, 'completed'),
      },
    },
    due: null,
    changes: [
      entered('win_back', T0 + HOUR),
      ...steps('win_back', T0 + HOUR, 'mail'),
      ended('win_back', 'completed', T0 + HOUR),
      entered('farewell', T0 + 2 * HOUR),
      ...steps('farewell', T0 + 2 * HOUR, 'mark', 'ask'),
      ended('farewell', 'completed', T0 + 2 * HOUR),
    ],
    effects: [
      send('win_back', 'mail', 'win_back', 1, T0 + HOUR),
      { kind: 'update', journey: 'farewell', step: 'mark', traits: { trial_over: true }, at: T0 + 2 * HOUR },
      decide('farewell', 'ask', 1, T0 + 2 * HOUR),
    ],
  },
  {
    name: 'a branch cycle: the run ends exited after the step limit',
    journeys: [LOOP],
    actions: [{ event: 'Pricing Viewed', at: T0 }],
    state: { active: {}, history: { loop: history(1, T0, 'exited') } },
    due: null,
    changes: [
      entered('loop', T0),
      ...steps(
        'loop',
        T0,
        ...Array.from({ length: MAX_RUN_STEPS }, (_, i) => (i % 2 === 0 ? 'ping' : 'pong')),
      ),
      ended('loop', 'exited', T0, 'loop'),
    ],
    effects: [],
  },
  {
    name: 'a removed journey: its waiting run ends exited when it is removed',
    journeys: [CHECKOUT],
    actions: [
      { event: 'Checkout Abandoned', at: T0 },
      { redefine: [], at: T0 + HOUR },
      { advance: T0 + 2 * DAY },
    ],
    state: { active: {}, history: { checkout_recovery: history(1, T0, 'exited') } },
    due: null,
    changes: [
      entered('checkout_recovery', T0),
      ...steps('checkout_recovery', T0, 'nudge'),
      ended('checkout_recovery', 'exited', T0 + HOUR, 'removed'),
    ],
    effects: [decide('checkout_recovery', 'nudge', 1, T0)],
  },
  {
    name: 'a removed journey: the event its run awaited no longer reaches it',
    journeys: [confirm()],
    actions: [
      { event: 'Signed Up', at: T0 },
      { redefine: [CHECKOUT], at: T0 + MINUTE },
      { event: 'Email Confirmed', at: T0 + HOUR },
      { advance: T0 + 3 * DAY },
    ],
    state: { active: {}, history: { confirm: history(1, T0, 'exited') } },
    due: null,
    changes: [
      entered('confirm', T0),
      ...steps('confirm', T0, 'ask'),
      ended('confirm', 'exited', T0 + MINUTE, 'removed'),
    ],
    effects: [send('confirm', 'ask', 'confirm_email', 1, T0)],
  },
  {
    name: 'a changed journey keeps its run in flight on the version it started on; new runs take the new one',
    journeys: [CHECKOUT],
    traits: { cart_value: 150 },
    actions: [
      { event: 'Checkout Abandoned', at: T0 },
      {
        redefine: [
          {
            ...CHECKOUT,
            steps: [
              { key: 'nudge', type: 'decide' },
              { key: 'done', type: 'exit' },
            ],
          },
        ],
        at: T0 + HOUR,
      },
      { advance: T0 + 2 * DAY },
      { event: 'Checkout Abandoned', at: T0 + 8 * DAY },
    ],
    state: { active: {}, history: { checkout_recovery: history(2, T0 + 8 * DAY, 'exited') } },
    due: null,
    changes: [
      entered('checkout_recovery', T0),
      ...steps('checkout_recovery', T0, 'nudge'),
      ...steps('checkout_recovery', T0 + DAY, 'pause', 'high_value', 'offer', 'done'),
      ended('checkout_recovery', 'exited', T0 + DAY),
      entered('checkout_recovery', T0 + 8 * DAY),
      ...steps('checkout_recovery', T0 + 8 * DAY, 'nudge', 'done'),
      ended('checkout_recovery', 'exited', T0 + 8 * DAY),
    ],
    effects: [
      decide('checkout_recovery', 'nudge', 1, T0),
      decide('checkout_recovery', 'offer', 1, T0 + DAY),
      decide('checkout_recovery', 'nudge', 2, T0 + 8 * DAY),
    ],
  },
  {
    name: 'a decision trigger: a decision choosing the action starts a run, one choosing another does not',
    journeys: [AFTER_OFFER],
    actions: [
      { event: 'Decision Made', at: T0, action: 'welcome' },
      { event: 'Decision Made', at: T0 + HOUR },
      { event: 'Decision Made', at: T0 + 2 * HOUR, action: 'discount' },
      { advance: T0 + 2 * DAY },
    ],
    state: { active: {}, history: { after_offer: history(1, T0 + 2 * HOUR, 'completed') } },
    due: null,
    changes: [
      entered('after_offer', T0 + 2 * HOUR),
      ...steps('after_offer', T0 + 2 * HOUR + DAY, 'settle', 'mark'),
      ended('after_offer', 'completed', T0 + 2 * HOUR + DAY),
    ],
    effects: [
      {
        kind: 'update',
        journey: 'after_offer',
        step: 'mark',
        traits: { offered: true },
        at: T0 + 2 * HOUR + DAY,
      },
    ],
  },
  {
    name: 'max_active: each entry runs on its own, up to the limit; a run ending makes room',
    journeys: [FOLLOW_UP],
    actions: [
      { event: 'Order Completed', at: T0 },
      { event: 'Order Completed', at: T0 + HOUR },
      { event: 'Order Completed', at: T0 + 2 * HOUR },
      { advance: T0 + DAY },
      { event: 'Order Completed', at: T0 + DAY + MINUTE },
    ],
    state: {
      active: {
        'follow_up#2': { version: 1, step: 0, enteredAt: T0 + HOUR, until: T0 + HOUR + DAY, path: [] },
        'follow_up#3': {
          version: 1,
          step: 0,
          enteredAt: T0 + DAY + MINUTE,
          until: T0 + 2 * DAY + MINUTE,
          path: [],
        },
      },
      history: { follow_up: history(3, T0 + DAY + MINUTE, 'completed') },
    },
    due: T0 + HOUR + DAY,
    changes: [
      entered('follow_up', T0),
      entered('follow_up', T0 + HOUR),
      ...steps('follow_up', T0 + DAY, 'settle', 'ask'),
      ended('follow_up', 'completed', T0 + DAY),
      entered('follow_up', T0 + DAY + MINUTE),
    ],
    effects: [send('follow_up', 'ask', 'review_request', 1, T0 + DAY)],
  },
  {
    name: 'a decision trigger: never started by a decision the journey asked for itself',
    journeys: [
      {
        key: 'echo',
        trigger: { decision: 'discount' },
        reentry: { kind: 'always' },
        steps: [{ key: 'again', type: 'send', action: 'discount' }],
      },
    ],
    actions: [
      { event: 'Decision Made', at: T0, action: 'discount' },
      { event: 'Decision Made', at: T0 + MINUTE, action: 'discount', decidedBy: 'echo' },
      { event: 'Decision Made', at: T0 + 2 * MINUTE, action: 'discount', decidedBy: 'other' },
    ],
    state: { active: {}, history: { echo: history(2, T0 + 2 * MINUTE, 'completed') } },
    due: null,
    changes: [
      entered('echo', T0),
      ...steps('echo', T0, 'again'),
      ended('echo', 'completed', T0),
      entered('echo', T0 + 2 * MINUTE),
      ...steps('echo', T0 + 2 * MINUTE, 'again'),
      ended('echo', 'completed', T0 + 2 * MINUTE),
    ],
    effects: [
      send('echo', 'again', 'discount', 1, T0),
      send('echo', 'again', 'discount', 2, T0 + 2 * MINUTE),
    ],
  },
  {
    name: 'a paused journey takes no new run; resumed, it does again',
    journeys: [promo({ kind: 'always' })],
    actions: [
      { pause: 'promo', at: T0 },
      { event: 'Pricing Viewed', at: T0 + HOUR },
      { resume: 'promo', at: T0 + 2 * HOUR },
      { event: 'Pricing Viewed', at: T0 + 3 * HOUR },
    ],
    state: {
      active: {
        promo: { version: 1, step: 1, enteredAt: T0 + 3 * HOUR, until: T0 + 3 * HOUR + DAY, path: ['offer'] },
      },
      history: { promo: history(1, T0 + 3 * HOUR) },
    },
    due: T0 + 3 * HOUR + DAY,
    changes: [entered('promo', T0 + 3 * HOUR), ...steps('promo', T0 + 3 * HOUR, 'offer')],
    effects: [send('promo', 'offer', 'discount', 1, T0 + 3 * HOUR)],
  },
  {
    name: 'a paused journey: its run goes through waits and branches and holds before the next action until the resume',
    journeys: [CHECKOUT],
    traits: { cart_value: 150 },
    actions: [
      { event: 'Checkout Abandoned', at: T0 },
      { pause: 'checkout_recovery', at: T0 + HOUR },
      { advance: T0 + 2 * DAY },
      { resume: 'checkout_recovery', at: T0 + 2 * DAY },
    ],
    state: { active: {}, history: { checkout_recovery: history(1, T0, 'exited') } },
    due: null,
    changes: [
      entered('checkout_recovery', T0),
      ...steps('checkout_recovery', T0, 'nudge'),
      ...steps('checkout_recovery', T0 + DAY, 'pause', 'high_value'),
      ...steps('checkout_recovery', T0 + 2 * DAY, 'offer', 'done'),
      ended('checkout_recovery', 'exited', T0 + 2 * DAY),
    ],
    effects: [
      decide('checkout_recovery', 'nudge', 1, T0),
      decide('checkout_recovery', 'offer', 1, T0 + 2 * DAY),
    ],
  },
  {
    name: 'a paused journey: a held run still ends on its goal, and the resume finds nothing to do',
    journeys: [CHECKOUT],
    traits: { cart_value: 150 },
    actions: [
      { event: 'Checkout Abandoned', at: T0 },
      { pause: 'checkout_recovery', at: T0 + HOUR },
      { event: 'Order Completed', at: T0 + 2 * DAY },
      { resume: 'checkout_recovery', at: T0 + 3 * DAY },
    ],
    state: { active: {}, history: { checkout_recovery: history(1, T0, 'converted') } },
    due: null,
    changes: [
      entered('checkout_recovery', T0),
      ...steps('checkout_recovery', T0, 'nudge'),
      ...steps('checkout_recovery', T0 + DAY, 'pause', 'high_value'),
      ended('checkout_recovery', 'converted', T0 + 2 * DAY),
    ],
    effects: [decide('checkout_recovery', 'nudge', 1, T0)],
  },
  {
    name: 'a paused journey: the held run waits at its action, with nothing due',
    journeys: [CHECKOUT],
    traits: { cart_value: 150 },
    actions: [
      { event: 'Checkout Abandoned', at: T0 },
      { pause: 'checkout_recovery', at: T0 + HOUR },
      { advance: T0 + 3 * DAY },
    ],
    state: {
      active: {
        checkout_recovery: {
          version: 1,
          step: 3,
          enteredAt: T0,
          path: ['nudge', 'pause', 'high_value'],
          held: true,
        },
      },
      history: { checkout_recovery: history(1, T0) },
    },
    due: null,
    changes: [
      entered('checkout_recovery', T0),
      ...steps('checkout_recovery', T0, 'nudge'),
      ...steps('checkout_recovery', T0 + DAY, 'pause', 'high_value'),
    ],
    effects: [decide('checkout_recovery', 'nudge', 1, T0)],
  },
  {
    name: 'a redefined journey: new runs carry the new version',
    journeys: [promo({ kind: 'always' })],
    actions: [
      { event: 'Pricing Viewed', at: T0 },
      { redefine: [promo({ kind: 'always' })], at: T0 + HOUR },
      { event: 'Pricing Viewed', at: T0 + 2 * DAY },
    ],
    state: {
      active: {
        promo: { version: 2, step: 1, enteredAt: T0 + 2 * DAY, until: T0 + 3 * DAY, path: ['offer'] },
      },
      history: { promo: history(2, T0 + 2 * DAY, 'completed') },
    },
    due: T0 + 3 * DAY,
    changes: [
      entered('promo', T0),
      ...steps('promo', T0, 'offer'),
      ...steps('promo', T0 + DAY, 'cool_off'),
      ended('promo', 'completed', T0 + DAY),
      entered('promo', T0 + 2 * DAY),
      ...steps('promo', T0 + 2 * DAY, 'offer'),
    ],
    effects: [send('promo', 'offer', 'discount', 1, T0), send('promo', 'offer', 'discount', 2, T0 + 2 * DAY)],
  },
  {
    name: 'advancing: runs go on in time order, not key order',
    journeys: [CHECKOUT, promo({ kind: 'once' })],
    traits: { cart_value: 20 },
    actions: [
      { event: 'Pricing Viewed', at: T0 },
      { event: 'Checkout Abandoned', at: T0 + HOUR },
      { advance: T0 + 2 * DAY },
    ],
    state: {
      active: {},
      history: { promo: history(1, T0, 'completed'), checkout_recovery: history(1, T0 + HOUR, 'exited') },
    },
    due: null,
    changes: [
      entered('promo', T0),
      ...steps('promo', T0, 'offer'),
      entered('checkout_recovery', T0 + HOUR),
      ...steps('checkout_recovery', T0 + HOUR, 'nudge'),
      ...steps('promo', T0 + DAY, 'cool_off'),
      ended('promo', 'completed', T0 + DAY),
      ...steps('checkout_recovery', T0 + HOUR + DAY, 'pause', 'high_value', 'done'),
      ended('checkout_recovery', 'exited', T0 + HOUR + DAY),
    ],
    effects: [send('promo', 'offer', 'discount', 1, T0), decide('checkout_recovery', 'nudge', 1, T0 + HOUR)],
  },
];

/** Plays a row's actions against a fresh state, firing due timers before each event. */
function play(row: Row): {
  state: JourneyState;
  changes: JourneyChange[];
  effects: JourneyEffect[];
} {
  const versions = new JourneyVersions();
  let version = 1;
  versions.add(version, row.journeys);
  let paused: string[] = [];
  let journeys = versions.inForce(version, paused);
  const state: JourneyState = { active: {}, history: {} };
  const traits: Record<string, unknown> = { ...row.traits };
  const context = (): Record<string, unknown> => ({ traits: { ...traits } });
  const changes: JourneyChange[] = [];
  const effects: JourneyEffect[] = [];
  const common = { state, context, timezone: row.timezone, effects, changes };
  for (const action of row.actions) {
    if ('event' in action) {
      advanceTo({ ...common, journeys, until: action.at });
      const event = {
        name: action.event,
        timestamp: action.at,
        segment: action.segment,
        action: action.action,
        decidedBy: action.decidedBy,
      };
      onEvent({ ...common, journeys, event, at: action.at });
    } else if ('advance' in action) advanceTo({ ...common, journeys, until: action.advance });
    else if ('traits' in action) Object.assign(traits, action.traits);
    else if ('pause' in action) {
      advanceTo({ ...common, journeys, until: action.at });
      paused = [...paused, action.pause];
      journeys = versions.inForce(version, paused);
    } else if ('resume' in action) {
      advanceTo({ ...common, journeys, until: action.at });
      paused = paused.filter((key) => key !== action.resume);
      journeys = versions.inForce(version, paused);
      releaseRuns({ ...common, journeys, keys: new Set([action.resume]), at: action.at });
    } else {
      advanceTo({ ...common, journeys, until: action.at });
      const before = journeys;
      version += 1;
      versions.add(version, action.redefine);
      journeys = versions.inForce(version, paused);
      const removed = [...before.current.byKey.keys()].filter((key) => !journeys.current.byKey.has(key));
      releaseRuns({ ...common, journeys, keys: new Set(removed), at: action.at });
    }
  }
  return { state, changes, effects };
}

/** The state without the history's counts by step and by outcome. */
function withoutCounts(state: JourneyState): JourneyState {
  const history = Object.fromEntries(
    Object.entries(state.history).map(([key, { steps: _steps, ended: _ended, ...rest }]) => [key, rest]),
  );
  return { active: state.active, history };
}

describe('journeys', () => {
  it.each(ROWS)('$name', (row) => {
    const { state, changes, effects } = play(row);
    expect(changes).toEqual(row.changes);
    expect(effects).toEqual(row.effects);
    expect(withoutCounts(state)).toEqual(row.state);
    expect(nextJourneyDue(state) ?? null).toBe(row.due);
  });

  it('counts, in the history, each step done and each run ended by the step it ended at and its outcome', () => {
    const { state } = play({
      name: 'counts',
      journeys: [CHECKOUT],
      traits: { cart_value: 150 },
      actions: [
        { event: 'Checkout Abandoned', at: T0 },
        { advance: T0 + 2 * DAY },
        { event: 'Checkout Abandoned', at: T0 + 8 * DAY },
        { event: 'Order Completed', at: T0 + 8 * DAY + HOUR },
      ],
      state: { active: {}, history: {} },
      due: null,
      changes: [],
      effects: [],
    });
    // Both runs reached `pause` (a wait counts when it starts); only the first went past it.
    expect(state.history['checkout_recovery']?.steps).toEqual({
      nudge: 2,
      pause: 2,
      high_value: 1,
      offer: 1,
      done: 1,
    });
    // The first run exited at its `done` step; the second converted while waiting at `pause`.
    expect(state.history['checkout_recovery']?.ended).toEqual({
      done: { exited: 1 },
      pause: { converted: 1 },
    });
  });

  it('an unrelated event touches no journey', () => {
    const compiled = compileJourneys([CHECKOUT, confirm(), promo({ kind: 'always' }), WIN_BACK, FAREWELL]);
    const state: JourneyState = { active: {}, history: {} };
    const changes: JourneyChange[] = [];
    const effects: JourneyEffect[] = [];
    let reads = 0;
    const context = (): Record<string, unknown> => {
      reads += 1;
      return { traits: {} };
    };
    const common = { state, journeys: journeysOf(compiled, 1), context, effects, changes };
    onEvent({ ...common, event: { name: 'Checkout Abandoned', timestamp: T0 }, at: T0 });
    onEvent({ ...common, event: { name: 'Signed Up', timestamp: T0 }, at: T0 });
    const before = structuredClone(state);
    const counts = [changes.length, effects.length];
    for (const event of [
      { name: 'Page Viewed', timestamp: T0 + HOUR },
      { name: 'Segment Entered', timestamp: T0 + HOUR, segment: 'trial' },
      { name: 'Segment Exited', timestamp: T0 + HOUR, segment: 'lapsed' },
    ])
      onEvent({ ...common, event, at: T0 + HOUR });
    expect(state).toEqual(before);
    expect([changes.length, effects.length]).toEqual(counts);
    expect(reads).toBe(0);
    expect(compiled.byEvent.get('Page Viewed')).toBeUndefined();
  });

  it('indexes journeys by trigger event and segment', () => {
    const compiled = compileJourneys([CHECKOUT, confirm(), promo({ kind: 'once' }), WIN_BACK, FAREWELL]);
    const keys = (map: ReadonlyMap<string, readonly { key: string }[]>): Record<string, string[]> =>
      Object.fromEntries([...map].map(([name, list]) => [name, list.map((journey) => journey.key)]));
    expect(compiled.empty).toBe(false);
    expect(keys(compiled.byEvent)).toEqual({
      'Checkout Abandoned': ['checkout_recovery'],
      'Signed Up': ['confirm'],
      'Pricing Viewed': ['promo'],
    });
    expect(keys(compiled.bySegmentEntered)).toEqual({ lapsed: ['win_back'] });
    expect(keys(compiled.bySegmentExited)).toEqual({ trial: ['farewell'] });
    expect(keys(compileJourneys([AFTER_OFFER]).byDecision)).toEqual({ discount: ['after_offer'] });
    expect(compileJourneys([]).empty).toBe(true);
  });

  it.each([
    { name: 'an empty journey', steps: [], message: /has no steps/ },
    {
      name: 'a duplicate step key',
      steps: [
        { key: 'a', type: 'decide' },
        { key: 'a', type: 'exit' },
      ],
      message: /two steps with the key `a`/,
    },
    { name: 'a `then` naming no step', steps: [branch('b', {}, 'nowhere')], message: /goes to `nowhere`/ },
    {
      name: 'an `else` naming no step',
      steps: [branch('b', {}, 'b', 'elsewhere')],
      message: /goes to `elsewhere`/,
    },
    {
      name: 'an `onTimeout` naming no step',
      steps: [{ key: 'w', type: 'wait_for', event: 'X', timeoutMs: DAY, onTimeout: 'later' }],
      message: /goes to `later`/,
    },
    {
      name: 'an invalid wait_until time',
      steps: [{ key: 'w', type: 'wait_until', time: '25:00' }],
      message: /not a time of day/,
    },
    {
      name: 'an invalid branch condition',
      steps: [branch('b', { 'traits.a': { $bogus: 1 } }, 'b')],
      message: /steps\[0\]\.when/,
    },
  ] as { name: string; steps: JourneyStepDef[]; message: RegExp }[])(
    'rejects $name',
    ({ steps, message }) => {
      const def: JourneyDef = { key: 'j', trigger: { event: 'X' }, reentry: { kind: 'once' }, steps };
      expect(() => compileJourneys([def])).toThrow(message);
      expect(() => compileJourneys([def])).toThrow(expect.objectContaining({ code: 'INVALID_WORKSPACE' }));
    },
  );

  it('rejects two journeys with one key', () => {
    expect(() => compileJourneys([CHECKOUT, CHECKOUT])).toThrow(/Two journeys have the key/);
  });
});
