import type { JourneyEffect } from '../../journey/step-journeys.ts';
import type { ProfileState } from '../../profile/profile.ts';
import type { ChannelsDef } from '../channels-def.ts';
import type { SendRecord } from '../send-record.ts';
import { AUDIENCE_CHANNELS, advertisingAllowed, audienceIdentifiers, audienceSend } from './ads-sends.ts';

/**
 * The sends journey `audience` steps ask for: for each such step a person's run did, on each
 * audience channel whose `lists` names its destination, an `add` (only when the person's consent
 * covers advertising, as for segments) or a `remove`, queued in the outbox under the journey step's
 * trigger (`journey:<journey>:<step>`) and an id stable under replay (the run's entry, the step and
 * its time), sent and retried as segment audiences are. Pure.
 */
export function journeyAudienceSends(input: {
  channels: ChannelsDef;
  profile: ProfileState;
  effects: readonly JourneyEffect[];
  now: number;
}): SendRecord[] {
  const { channels, profile } = input;
  const sends: SendRecord[] = [];
  const identifiers = audienceIdentifiers(profile);
  if (identifiers === undefined) return sends;
  for (const effect of input.effects) {
    if (effect.kind !== 'audience') continue;
    if (effect.op === 'add' && !advertisingAllowed(profile)) continue;
    for (const channel of AUDIENCE_CHANNELS) {
      const list = channels[channel]?.lists?.[effect.destination];
      if (list === undefined) continue;
      sends.push(
        audienceSend({
          workspaceId: profile.workspaceId,
          id: `jrn-${profile.id}-${effect.journey}-${effect.entry}-${effect.step}-${effect.at}:${channel}`,
          profileId: profile.id,
          destination: { channel, list },
          op: effect.op,
          identifiers,
          now: input.now,
          trigger: `journey:${effect.journey}:${effect.step}`,
        }),
      );
    }
  }
  return sends;
}
