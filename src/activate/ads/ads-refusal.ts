import type { ProfileState } from '../../profile/profile.ts';
import type { SendRecord } from '../send-record.ts';
import { ADVERTISING_CONSENT, advertisingAllowed, inSegment } from './ads-sends.ts';

/** How the reason of a change dropped as outdated (the person's later change supersedes it) starts. */
export const OUTDATED_REASON = 'superseded: ';

/**
 * Why an ads send queued earlier may no longer go, judged on the person as they are now, or null
 * when it may: a conversion or an audience `add` needs consent covering advertising and (an add)
 * the person still in the segment; a `remove` is dropped when the person is back in the segment
 * with that consent. So the platform ends up with the person's latest state whatever order
 * retries take: a change superseded meanwhile is not sent.
 */
export function adsRefusal(profile: ProfileState, send: SendRecord): string | null {
  const { op, segment } = send.content;
  const consent = advertisingAllowed(profile);
  if (op === 'remove') {
    if (typeof segment === 'string' && consent && inSegment(profile, segment))
      return `${OUTDATED_REASON}the person is in ${segment} again`;
    return null;
  }
  if (!consent) return `consent: ${ADVERTISING_CONSENT} is not granted`;
  if (op === 'add' && typeof segment === 'string' && !inSegment(profile, segment))
    return `${OUTDATED_REASON}the person left ${segment} before it was sent`;
  return null;
}
