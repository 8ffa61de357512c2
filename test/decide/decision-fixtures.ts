import type { ActionDef, DecisionsDef, PlacementDef } from '../../src/decide/decision-def.ts';
import type { TailorEvent } from '../../src/ingest/event.ts';
import { type CompiledScores, compileScores } from '../../src/intent/compile-scores.ts';

/** The fixed decision time of every test: 2026-03-10T06:00:00Z (11:30 in Kolkata). */
export const NOW = Date.parse('2026-03-10T06:00:00Z');
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** The seed placements: a city banner and an offer by customer segment. */
export const SEED_PLACEMENTS: PlacementDef[] = [
  {
    key: 'home_banner',
    variants: [
      {
        key: 'bangalore_offer',
        when: { 'context.location.city': 'Bangalore' },
        content: { title: 'Bangalore special', cta: { label: 'Shop now', url: '/blr' } },
      },
      { key: 'default', content: { title: 'Welcome {{ profile.traits.first_name | default: "there" }}' } },
    ],
  },
  {
    key: 'offer_slot',
    variants: [
      { key: 'welcome_discount', when: { $inSegment: 'new_customer' }, content: { code: 'WELCOME10' } },
      { key: 'loyalty_offer', when: { $inSegment: 'repeat_customer' }, content: { code: 'LOYAL15' } },
    ],
  },
];

/** An action with the loader's defaults (weight 1, propensity 1, no context weights). */
export function action(fields: Partial<ActionDef> & { key: string }): ActionDef {
  return {
    channels: ['email'],
    content: { email: { subject: fields.key } },
    value: 10,
    weight: 1,
    propensity: 1,
    contextWeights: [],
    ...fields,
  };
}

/** The demo action: a checkout reminder for a high-intent person who abandoned a checkout. */
export const CHECKOUT_REMINDER: ActionDef = action({
  key: 'send_personalized_checkout_reminder',
  channels: ['email', 'whatsapp'],
  content: {
    whatsapp: {
      body: 'Hi {{ profile.traits.first_name | default: "there" }}, your {{ profile.computed.last_cart_product }} is waiting',
    },
    email: {
      subject: '{{ profile.traits.first_name | default: "Hi" }}, you left something behind',
      body: 'Your {{ profile.computed.last_cart_product }} is still in your cart',
    },
  },
  value: 50,
  propensity: 0.6,
  eligibility: { 'consent.marketing': { $ne: false } },
  applicability: { 'risks.checkout_abandonment': { $exists: true } },
  suitability: { 'scores.intent': { $gte: 60 } },
  contextWeights: [{ when: { lifecycle_stage: 'high_intent_lead' }, weight: 1.5 }],
  cooldownMs: 3 * DAY,
});

/** A low-value fallback everyone is eligible for. */
export const NEWSLETTER: ActionDef = action({ key: 'send_newsletter', value: 2, propensity: 0.5 });

/** A decisions section with defaults: no placements, no actions, no caps. */
export function decisions(fields: Partial<DecisionsDef> = {}): DecisionsDef {
  return { placements: [], actions: [], contactPolicy: { caps: [] }, triggers: [], ...fields };
}

/** The intent score with its labels (no rules: tests set the value in the context). */
export const SCORES: CompiledScores = compileScores([
  {
    key: 'intent',
    rules: [],
    labels: [
      { min: 70, label: 'high' },
      { min: 40, label: 'medium' },
    ],
  },
]);

/** A profile context shaped like `profileContext`'s, with what a case sets. */
export function personContext(fields: {
  traits?: Record<string, unknown>;
  computed?: Record<string, unknown>;
  scores?: Record<string, number>;
  segments?: Record<string, number>;
  risks?: Record<string, { at: number; since: number }>;
  consent?: Record<string, boolean>;
  identifiers?: Record<string, string[]>;
  lifecycle_stage?: string | null;
}): Record<string, unknown> {
  return {
    traits: fields.traits ?? {},
    computed: fields.computed ?? {},
    identifiers: fields.identifiers ?? {},
    consent: fields.consent ?? {},
    scores: fields.scores ?? {},
    first_seen: NOW - 30 * DAY,
    last_seen: NOW - MINUTE,
    segments: fields.segments ?? {},
    risks: fields.risks ?? {},
    lifecycle_stage: fields.lifecycle_stage ?? null,
  };
}

/** The demo person: high intent, an abandoned checkout, prefers WhatsApp, consented, with a phone. */
export const ASHA: Record<string, unknown> = personContext({
  traits: { first_name: 'Asha' },
  computed: { preferred_channel: 'whatsapp', last_cart_product: 'Blue Runner shoes' },
  scores: { intent: 82 },
  risks: { checkout_abandonment: { at: NOW - 10 * MINUTE, since: NOW - 40 * MINUTE } },
  consent: { whatsapp: true, email: true },
  identifiers: { phone: ['+919876543210'], email: ['asha@example.in'] },
  lifecycle_stage: 'high_intent_lead',
});

let counter = 0;

/** A track event at `at` with the given name and properties. */
export function track(name: string, at: number, properties: Record<string, unknown>): TailorEvent {
  counter += 1;
  return {
    type: 'track',
    messageId: `msg-${counter}`,
    timestamp: at,
    receivedAt: at,
    event: name,
    properties,
    traits: {},
    context: {},
    integrations: {},
  };
}
