import type { ContactRecord } from '../profile/contact-history.ts';
import type { ContactCapDef, ContactPolicyDef } from './decision-def.ts';
import { localTime, parseClock, zonedToEpoch } from './zoned-time.ts';

/** What the contact policy needs to know of an action: its key and cool-down. */
export interface PolicyAction {
  readonly key: string;
  readonly cooldownMs?: number | undefined;
}

/**
 * The rule that forbids sending `action` on `channel` at `now`, as a reason to show, or null
 * when none does. Rules, in this order: suppression after `suppressAfterIgnored` unanswered
 * contacts in a row (newest first), the action's cool-down (the same action on any channel),
 * then each cap as a sliding window ending at `now` (per channel, or overall without one).
 * Only contacts at or before `now` count.
 */
export function contactBlock(input: {
  policy: ContactPolicyDef;
  contacts: readonly ContactRecord[];
  action: PolicyAction;
  channel: string;
  now: number;
}): string | null {
  const { policy, action, channel, now } = input;
  const contacts = input.contacts.filter((contact) => contact.at <= now);
  const suppressAfter = policy.suppressAfterIgnored;
  if (suppressAfter !== undefined && suppressAfter > 0) {
    let ignored = 0;
    while (ignored < contacts.length && contacts[ignored]?.responded === false) ignored += 1;
    const latest = contacts[0];
    if (ignored >= suppressAfter && latest !== undefined)
      return `suppressed: the last ${ignored} contacts went unanswered (the latest on ${latest.channel} at ${iso(latest.at)})`;
  }
  const cooldown = action.cooldownMs;
  if (cooldown !== undefined) {
    const last = contacts.find((contact) => contact.action === action.key);
    if (last !== undefined && last.at > now - cooldown)
      return `cooldown: ${action.key} was sent on ${last.channel} at ${iso(last.at)}, within its ${formatDuration(cooldown)} cool-down`;
  }
  for (const cap of policy.caps) {
    if (cap.channel !== undefined && cap.channel !== channel) continue;
    const reason = capReason(cap, contacts, now);
    if (reason !== null) return reason;
  }
  return null;
}

function capReason(cap: ContactCapDef, contacts: readonly ContactRecord[], now: number): string | null {
  const inWindow = contacts.filter(
    (contact) =>
      contact.at > now - cap.perMs && (cap.channel === undefined || contact.channel === cap.channel),
  );
  if (inWindow.length < cap.max) return null;
  const what = cap.channel ?? (cap.max === 1 ? 'contact' : 'contacts');
  const oldest = inWindow[inWindow.length - 1];
  const sent =
    oldest === undefined
      ? 'none may be sent'
      : inWindow.length === 1
        ? `1 sent at ${iso(oldest.at)}`
        : `${inWindow.length} sent, the oldest at ${iso(oldest.at)}`;
  return `cap: at most ${cap.max} ${what} per ${formatDuration(cap.perMs)} (${sent})`;
}

/**
 * The first moment at or after `now` outside quiet hours (`HH:MM` to `HH:MM` on the wall clock
 * of IANA `timezone`; a window whose start is after its end crosses midnight, equal ends mean
 * none): `now` itself when outside them, else when they end — read in the zone on the right
 * day, so daylight-saving changes move it as they move the clock. An end the clock skips
 * (spring forward) ends at the jump.
 */
export function nextAllowedMoment(
  quietHours: { start: string; end: string },
  timezone: string,
  now: number,
): number {
  const start = parseClock(quietHours.start);
  const end = parseClock(quietHours.end);
  if (start === undefined || end === undefined || start === end) return now;
  const local = localTime(now, timezone);
  const minute = local.hour * 60 + local.minute;
  const quiet = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!quiet) return now;
  const endsTomorrow = start > end && minute >= start;
  const endAt = zonedToEpoch(
    {
      year: local.year,
      month: local.month,
      day: local.day + (endsTomorrow ? 1 : 0),
      hour: Math.floor(end / 60),
      minute: end % 60,
    },
    timezone,
  );
  return Math.max(now, endAt);
}

const UNITS: readonly (readonly [string, number])[] = [
  ['w', 604_800_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** A duration in ms as written in the workspace file: the largest unit it is a whole number of (`1d`, `90m`). */
export function formatDuration(ms: number): string {
  for (const [unit, size] of UNITS) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
