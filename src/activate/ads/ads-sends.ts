import type { LoggedEvent } from '../../ingest/event.ts';
import { SEGMENT_ENTERED, SEGMENT_EXITED } from '../../ingest/reserved-events.ts';
import type { ProfileState } from '../../profile/profile.ts';
import type { AdsChannel } from '../channel.ts';
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
  const email = profile.identifiers['email']?.[0];
  const phone = profile.identifiers['phone']?.[0];
  const to = email ?? phone;
  if (to === undefined) return sends;
  const identifiers = {
    ...(email === undefined ? {} : { email }),
    ...(phone === undefined ? {} : { phone }),
  };
  const base = (event: LoggedEvent, channel: AdsChannel) => ({
    workspaceId: event.workspaceId,
    id: `${event.messageId}:${channel}`,
    profileId: profile.id,
    channel,
    to,
    status: 'pending' as const,
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
    updatedAt: now,
  });
  for (const event of derived) {
    const entered = event.event === SEGMENT_ENTERED;
    if (!entered && event.event !== SEGMENT_EXITED) continue;
    const segment = event.properties['segment'];
    if (typeof segment !== 'string' || (entered && !advertisingAllowed(profile))) continue;
    const op: AudienceOp = entered ? 'add' : 'remove';
    for (const channel of AUDIENCE_CHANNELS) {
      const list = channels[channel]?.audiences[segment];
      if (list === undefined) continue;
      sends.push({
        ...base(event, channel),
        content: { op, segment, list, ...identifiers },
        trigger: `${AUDIENCE_TRIGGER}${channel}:${segment}`,
      });
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
      ...base(received, 'meta_conversions'),
      content: conversionContent(received, identifiers),
      trigger: `conversion:${received.event}`,
    });
  }
  return sends;
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
