import type { LoggedEvent } from '../ingest/event.ts';
import type { ProfileState } from '../profile/profile.ts';
import type { AudienceChange } from './update-audience.ts';

/**
 * A change the audience derived, as an event on the profile's timeline: a `track` event with
 * the change's name and properties, at the change's time, placed at the log position of what
 * caused it. Its `messageId` is built from the profile, that position and `ord`, so replay
 * derives the very same event. It carries the profile's user id when it has one, so downstream
 * tools can act on it.
 */
export function derivedEvent(input: {
  profile: ProfileState;
  change: AudienceChange;
  cause: { seq: number; receivedAt: number; workspaceId: string };
  ord: number;
}): LoggedEvent {
  const { profile, change, cause, ord } = input;
  return {
    type: 'track',
    messageId: `drv-${profile.id}-${cause.seq}-${ord}`,
    timestamp: change.at,
    receivedAt: cause.receivedAt,
    sentAt: undefined,
    originalTimestamp: undefined,
    userId: profile.identifiers['user_id']?.[0],
    anonymousId: undefined,
    previousId: undefined,
    groupId: undefined,
    event: change.name,
    name: undefined,
    category: undefined,
    properties: change.properties,
    traits: {},
    context: { tailor: { derived: true, profile_id: profile.id } },
    integrations: {},
    seq: cause.seq,
    workspaceId: cause.workspaceId,
  };
}
