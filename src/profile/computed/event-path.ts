import type { TailorEvent } from '../../ingest/event.ts';
import { isJsonObject } from '../../ingest/merge-objects.ts';

/** Reads one top-level field of an event; the first segment of a path picks one of these. */
const ROOTS: Record<string, (event: TailorEvent) => unknown> = {
  type: (e) => e.type,
  messageId: (e) => e.messageId,
  timestamp: (e) => e.timestamp,
  receivedAt: (e) => e.receivedAt,
  sentAt: (e) => e.sentAt,
  originalTimestamp: (e) => e.originalTimestamp,
  userId: (e) => e.userId,
  anonymousId: (e) => e.anonymousId,
  previousId: (e) => e.previousId,
  groupId: (e) => e.groupId,
  event: (e) => e.event,
  name: (e) => e.name,
  category: (e) => e.category,
  properties: (e) => e.properties,
  traits: (e) => e.traits,
  context: (e) => e.context,
  integrations: (e) => e.integrations,
};

const missing = (): undefined => undefined;

/**
 * Compiles a dotted path into the event (`properties.revenue`, `context.campaign.source`) to a
 * reader, so the path is split once per definition and not per event. Only own keys are
 * followed: `properties.constructor` reads nothing. An unknown first segment always reads
 * undefined.
 */
export function compileEventPath(path: string): (event: TailorEvent) => unknown {
  const [head = '', ...rest] = path.split('.');
  const root = Object.hasOwn(ROOTS, head) ? (ROOTS[head] ?? missing) : missing;
  if (rest.length === 0) return root;
  return (event) => {
    let current = root(event);
    for (const key of rest) {
      if (!isJsonObject(current) || !Object.hasOwn(current, key)) return undefined;
      current = current[key];
    }
    return current;
  };
}
