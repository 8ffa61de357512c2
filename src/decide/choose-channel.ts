import type { ContactRecord } from '../profile/contact-history.ts';
import { contactBlock, type PolicyAction } from './contact-policy.ts';
import type { ContactPolicyDef } from './decision-def.ts';
import type { ChannelTrace } from './decision-trace.ts';

/** The identifiers that make each channel reachable; `in_app` needs none. */
const REACHED_BY: Readonly<Record<string, readonly string[]>> = {
  email: ['email'],
  sms: ['phone', 'whatsapp'],
  rcs: ['phone'],
  messenger: ['messenger_psid'],
  instagram: ['instagram_igsid'],
  whatsapp: ['phone', 'whatsapp'],
  push: ['device_token'],
  in_app: [],
};

/** The chosen channel (null when none passes) and every channel tried, with why it was refused. */
export interface ChannelChoice {
  channel: string | null;
  tried: ChannelTrace[];
}

/**
 * The person's preferred channel: the computed trait `preferred_channel`, else the trait of that
 * name; null when neither is a non-empty string.
 */
export function preferredChannel(profile: Record<string, unknown>): string | null {
  for (const section of ['computed', 'traits']) {
    const values = profile[section];
    const value: unknown =
      typeof values === 'object' && values !== null ? Reflect.get(values, 'preferred_channel') : null;
    if (typeof value === 'string' && value !== '') return value;
  }
  return null;
}

/**
 * Picks the channel for an action: its channels in the business's order, with the person's
 * preferred channel moved first, each tried for consent (`consent[channel]` or
 * `consent[channel.marketing]` false refuses it), reachability (email needs an `email`
 * identifier, sms and whatsapp a `phone` or `whatsapp` one, rcs a `phone`, messenger a `messenger_psid`, instagram an `instagram_igsid`, push a `device_token`, in_app
 * nothing, any other channel an identifier of its own name) and the contact policy. The first
 * that passes wins.
 */
export function chooseChannel(input: {
  action: PolicyAction & { readonly channels: readonly string[] };
  profile: Record<string, unknown>;
  contacts: readonly ContactRecord[];
  policy: ContactPolicyDef;
  now: number;
}): ChannelChoice {
  const { action, profile } = input;
  const preferred = preferredChannel(profile);
  const channels =
    preferred !== null && action.channels.includes(preferred)
      ? [preferred, ...action.channels.filter((channel) => channel !== preferred)]
      : action.channels;
  const tried: ChannelTrace[] = [];
  for (const channel of channels) {
    const reason =
      consentReason(profile['consent'], channel) ??
      reachReason(profile['identifiers'], channel) ??
      failedReason(profile['unreachable'], channel) ??
      contactBlock({ policy: input.policy, contacts: input.contacts, action, channel, now: input.now });
    if (reason === null) {
      tried.push({ channel, allowed: true });
      return { channel, tried };
    }
    tried.push({ channel, allowed: false, reason });
  }
  return { channel: null, tried };
}

function consentReason(consent: unknown, channel: string): string | null {
  for (const key of [channel, `${channel}.marketing`])
    if (readKey(consent, key) === false) return `consent: ${key} is not granted`;
  return null;
}

function reachReason(identifiers: unknown, channel: string): string | null {
  const types = REACHED_BY[channel] ?? [channel];
  if (types.length === 0) return null;
  for (const type of types) {
    const values = readKey(identifiers, type);
    if (Array.isArray(values) ? values.length > 0 : typeof values === 'string' && values !== '') return null;
  }
  return `unreachable: no ${types.join(' or ')} identifier`;
}

/** A channel whose last send failed for good (an invalid number, a hard bounce) is not tried again. */
function failedReason(unreachable: unknown, channel: string): string | null {
  const since = readKey(unreachable, channel);
  return typeof since === 'string'
    ? `unreachable: the last ${channel} send failed for good (${since})`
    : null;
}

function readKey(values: unknown, key: string): unknown {
  return typeof values === 'object' && values !== null && Object.hasOwn(values, key)
    ? Reflect.get(values, key)
    : undefined;
}
