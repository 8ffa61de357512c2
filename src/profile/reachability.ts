import type { TailorEvent } from '../ingest/event.ts';
import {
  MESSAGE_CLICKED,
  MESSAGE_DELIVERED,
  MESSAGE_FAILED,
  MESSAGE_OPENED,
  MESSAGE_READ,
  MESSAGE_REPLIED,
} from '../ingest/reserved-events.ts';
import type { ProfileState } from './profile.ts';

/** Events that prove a channel reaches the person again. */
const REACHED: ReadonlySet<string> = new Set([
  MESSAGE_DELIVERED,
  MESSAGE_READ,
  MESSAGE_OPENED,
  MESSAGE_REPLIED,
  MESSAGE_CLICKED,
]);

/**
 * Keeps which channels cannot reach the person: a `Message Failed` with `properties.unreachable`
 * (an invalid number, a hard bounce) marks its channel, and a later sign of life on it — a
 * delivery, read, open, click or reply — clears the mark. Channel choice then skips a marked
 * channel rather than failing again. Kept by event time, like consent.
 */
export function recordReachability(profile: ProfileState, event: TailorEvent): void {
  if (event.type !== 'track' || event.event === undefined) return;
  const channel = event.properties['channel'];
  if (typeof channel !== 'string' || channel === '') return;
  if (event.event === MESSAGE_FAILED && event.properties['unreachable'] === true) {
    profile.unreachable ??= {};
    const current = profile.unreachable[channel];
    if (current === undefined || event.timestamp > current) profile.unreachable[channel] = event.timestamp;
    return;
  }
  const since = profile.unreachable?.[channel];
  if (since !== undefined && REACHED.has(event.event) && event.timestamp >= since && profile.unreachable)
    delete profile.unreachable[channel];
}
