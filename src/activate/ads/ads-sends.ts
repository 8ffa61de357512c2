import type { LoggedEvent } from '../../ingest/event.ts';
import { SEGMENT_ENTERED, SEGMENT_EXITED } from '../../ingest/reserved-events.ts';
import type { ProfileState } from '../../profile/profile.ts';
import type { ChannelsDef } from '../channels-def.ts';
import type { SendRecord } from '../send-record.ts';

/** The consent key that must be granted for a person's data to go to an ad platform. */
export const ADVERTISING_CONSENT = 'advertising';

/** The audience channels: a segment named in their `audiences` is mirrored on the platform. */
export const AUDIENCE_CHANNELS = ['meta_audiences', 'google_customer_match'] as const;

/** An audience channel. */
export type AudienceChannel = (typeof AUDIENCE_CHANNELS)[number];

/** The trigger prefix of audience sends: `audience:<channel>:<segment>`. */
export const AUDIENCE_TRIGGER = 'audience:';

/** What an audience send asks of the platform. */
export type AudienceOp = 'add' | 'remove';

/** The change an audience send's content asks for, or undefined when the content is not one. */
export function audienceChangeOf(
  content: Record<string, unknown>,
): { op: AudienceOp; list: string } | undefined {
  const { op, list } = content;
  if ((op !== 'add' && op !== 'remove') || typeof list !== 'string' || list === '') return undefined;
  return { op, list };
}

/** The outcome of a send whose content is not an audience change (`audienceChangeOf`). */
export const NOT_AN_AUDIENCE_CHANGE = {
  kind: 'failed',
  reason: 'an audience send needs `op` (add or remove) and `list`',
  unreachable: false,
} as const;

/** Whether the person's consent covers advertising (granted explicitly). */
export function advertisingAllowed(profile: ProfileState): boolean {
  return profile.consent[ADVERTISING_CONSENT]?.granted === true;
}

/** Whether the person is in the segment now. */
export function inSegment(profile: ProfileState, segment: string): boolean {
  return profile.audience?.segments[segment] !== undefined;
}

/**
 * The sends that events applied to one profile ask of the ads channels: for each derived
 * `Segment Entered` of a segment an audience channel mirrors, an `add` (only when the person's
 * consent covers advertising); for each `Segment Exited`, a `remove`; for each received track
 * event the Conversions API is told of, a conversion (consent as for adds). Each send's id is
 * the event's message id and the channel, so replay records it once; its content holds the
 * person's email and phone as Tailor keeps them, hashed by the adapter just before the call.
 * Pure: no hashing, no I/O.
 */
export function adsSends(input: {
  channels: ChannelsDef;
  profile: ProfileState;
  /** The event a client sent, when one was applied (a timer derives changes without one). */
  received?: LoggedEvent;
  /** The events the audience derived from it. */
  derived: readonly LoggedEvent[];
  now: number;
}): SendRecord[] {
  const { channels, profile, received, derived, now } = input;
  const sends: SendRecord[] = [];
  const identifiers = audienceIdentifiers(profile);
  if (identifiers === undefined) return sends;
  for (const event of derived) {
    const entered = event.event === SEGMENT_ENTERED;
    if (!entered && event.event !== SEGMENT_EXITED) continue;
    const segment = event.properties['segment'];
    if (typeof segment !== 'string' || (entered && !advertisingAllowed(profile))) continue;
    for (const destination of audienceDestinations(channels)) {
      if (destination.segment !== segment) continue;
      sends.push(
        audienceSend({
          workspaceId: event.workspaceId,
          id: `${event.messageId}:${destination.channel}`,
          profileId: profile.id,
          destination,
          op: entered ? 'add' : 'remove',
          identifiers,
          now,
        }),
      );
    }
  }
  const conversions = channels.meta_conversions;
  if (
    received !== undefined &&
    conversions !== undefined &&
    received.type === 'track' &&
    received.event !== undefined &&
    conversions.events.includes(received.event) &&
    advertisingAllowed(profile)
  ) {
    sends.push({
      workspaceId: received.workspaceId,
      id: `${received.messageId}:meta_conversions`,
      profileId: profile.id,
      channel: 'meta_conversions',
      to: recipientOf(identifiers),
      content: conversionContent(received, identifiers),
      trigger: `conversion:${received.event}`,
      ...fresh(now),
    });
  }
  return sends;
}

/** The identifiers an ad platform matches a person by. */
export type AudienceIdentifiers = { email: string; phone?: string } | { email?: string; phone: string };

/** The person's first email and first phone as Tailor keeps them; undefined when they have neither. */
export function audienceIdentifiers(profile: ProfileState): AudienceIdentifiers | undefined {
  const email = profile.identifiers['email']?.[0];
  const phone = profile.identifiers['phone']?.[0];
  if (email !== undefined) return phone === undefined ? { email } : { email, phone };
  return phone === undefined ? undefined : { phone };
}

/** A segment mirrored on an ad platform's list. */
export interface AudienceDestination {
  channel: AudienceChannel;
  segment: string;
  /** The platform's list: a Custom Audience id, a user list's resource name. */
  list: string;
}

/** Every segment the workspace's audience channels mirror, channel by channel. */
export function audienceDestinations(channels: ChannelsDef): AudienceDestination[] {
  return AUDIENCE_CHANNELS.flatMap((channel) =>
    Object.entries(channels[channel]?.audiences ?? {}).map(([segment, list]) => ({ channel, segment, list })),
  );
}

/** The trigger of a destination's sends, which its counts and its reconciliation read. */
export function audienceTrigger(destination: { channel: AudienceChannel; segment: string }): string {
  return `${AUDIENCE_TRIGGER}${destination.channel}:${destination.segment}`;
}

/**
 * One member change of a destination as the outbox keeps it, due now: its content holds the op,
 * the segment (when a segment's mirror: the check before the call reads it), the list and the
 * person's identifiers as Tailor keeps them (hashed by the adapter just before the call). Its
 * trigger is the destination's (`audienceTrigger`) unless `trigger` says (a journey step's).
 */
export function audienceSend(input: {
  workspaceId: string;
  id: string;
  profileId: string;
  destination: { channel: AudienceChannel; list: string; segment?: string };
  op: AudienceOp;
  identifiers: AudienceIdentifiers;
  now: number;
  trigger?: string;
}): SendRecord {
  const { destination, identifiers } = input;
  const { channel, list, segment } = destination;
  return {
    workspaceId: input.workspaceId,
    id: input.id,
    profileId: input.profileId,
    channel,
    to: recipientOf(identifiers),
    content: { op: input.op, ...(segment === undefined ? {} : { segment }), list, ...identifiers },
    trigger:
      input.trigger ??
      (segment === undefined ? AUDIENCE_TRIGGER + channel : audienceTrigger({ channel, segment })),
    ...fresh(input.now),
  };
}

/** Whom a send is about, as `to` names them: the email, else the phone. */
function recipientOf(identifiers: AudienceIdentifiers): string {
  return 'email' in identifiers && identifiers.email !== undefined
    ? identifiers.email
    : (identifiers.phone ?? '');
}

/** The delivery state of a send queued at `now`, due at once. */
function fresh(now: number) {
  return { status: 'pending' as const, attempts: 0, nextAttemptAt: now, createdAt: now, updatedAt: now };
}

/** What a conversion send carries: the event's name, time, id and value, and whom it is about. */
function conversionContent(
  event: LoggedEvent,
  identifiers: { email?: string; phone?: string },
): Record<string, unknown> {
  const { revenue, value, total, currency } = event.properties;
  const amount = [value, revenue, total].find((v) => typeof v === 'number' && Number.isFinite(v));
  const userId = event.userId;
  return {
    event_name: event.event,
    event_time: Math.floor(event.timestamp / 1000),
    event_id: event.messageId,
    ...identifiers,
    ...(userId === undefined ? {} : { external_id: userId }),
    ...(amount === undefined ? {} : { value: amount }),
    ...(typeof currency === 'string' && currency !== '' ? { currency } : {}),
  };
}
