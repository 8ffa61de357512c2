import type { TailorEvent } from '../ingest/event.ts';
import { eventName } from './event-name.ts';
import type { RecentEvent } from './profile.ts';

/**
 * Puts an event into a profile's recent list (newest first by event time, equal times by
 * message id descending), capped at `limit`. An event already in the list, or older than every
 * event of a full list, leaves it unchanged.
 */
export function addRecent(input: { recent: RecentEvent[]; event: TailorEvent; limit: number }): void {
  const { recent, event, limit } = input;
  const newest = recent[0];
  if (newest === undefined || isNewer(event, newest)) {
    // Events mostly arrive in order: newer than the newest held means newer than all of them,
    // so it cannot be a duplicate and goes first.
    if (limit <= 0) return;
    recent.unshift(toRecent(event));
    if (recent.length > limit) recent.length = limit;
    return;
  }
  let position = recent.length;
  for (let i = 0; i < recent.length; i++) {
    const held = recent[i];
    if (held === undefined) continue;
    if (held.messageId === event.messageId) return;
    if (position === recent.length && isNewer(event, held)) position = i;
  }
  if (position >= limit) return;
  recent.splice(position, 0, toRecent(event));
  if (recent.length > limit) recent.length = limit;
}

/** The recent lists of two profiles as one: deduplicated by message id, ordered and capped as `addRecent` keeps them. */
export function mergeRecent(input: {
  into: RecentEvent[];
  from: RecentEvent[];
  limit: number;
}): RecentEvent[] {
  const byId = new Map<string, RecentEvent>();
  for (const item of [...input.into, ...input.from])
    if (!byId.has(item.messageId)) byId.set(item.messageId, item);
  return [...byId.values()]
    .sort((x, y) => (isNewer(x, y) ? -1 : isNewer(y, x) ? 1 : 0))
    .slice(0, input.limit);
}

function isNewer(
  a: { timestamp: number; messageId: string },
  b: { timestamp: number; messageId: string },
): boolean {
  return a.timestamp > b.timestamp || (a.timestamp === b.timestamp && a.messageId > b.messageId);
}

function toRecent(event: TailorEvent): RecentEvent {
  const recent: RecentEvent = { messageId: event.messageId, type: event.type, timestamp: event.timestamp };
  const name = eventName(event);
  if (name !== undefined) recent.name = name;
  if (Object.keys(event.properties).length > 0) recent.properties = event.properties;
  return recent;
}
