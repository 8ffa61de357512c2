import { randomUUID } from 'node:crypto';
import type { TailorEvent } from '../ingest/event.ts';

/**
 * A timer firing as a log record: at `at`, every profile whose audience is due by then is
 * brought up to that time. Logging the firing (rather than only acting on it) puts it in order
 * with the events around it, so a replay meets it at the same place and derives the same changes.
 */
export function timerRecord(at: number): TailorEvent {
  return {
    type: 'track',
    messageId: `timer-${at}-${randomUUID()}`,
    timestamp: at,
    receivedAt: at,
    properties: {},
    traits: {},
    context: {},
    integrations: {},
    internal: 'timer',
  };
}

/** Whether a logged record is a timer firing rather than a received event. */
export function isTimerRecord(event: TailorEvent): boolean {
  return event.internal === 'timer';
}
