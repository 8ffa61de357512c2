import type { AppendOutcome, EventLog, EventToAppend } from '../store/ports/event-log.ts';

/**
 * Settles an append whose COMMIT broke off by reading its events back from the log. The writer
 * is serial, so an event found past `appliedSeq` was logged by that append; one found at or
 * before it was in the log already (a duplicate). Returns one outcome per item when every event
 * is there, or undefined when one is missing: the append is one transaction, so it did not
 * commit and wrote nothing. Throws what the read throws (the doubt then stays).
 */
export async function readBackAppend(input: {
  store: EventLog;
  items: EventToAppend[];
  appliedSeq: number;
}): Promise<AppendOutcome[] | undefined> {
  const keyOf = (workspaceId: string, messageId: string) => JSON.stringify([workspaceId, messageId]);
  const ids = new Map<string, Set<string>>();
  for (const { workspaceId, event } of input.items) {
    const set = ids.get(workspaceId) ?? new Set<string>();
    set.add(event.messageId);
    ids.set(workspaceId, set);
  }
  const found = new Map<string, number>();
  for (const [workspaceId, messageIds] of ids) {
    for (const event of await input.store.readEventsById(workspaceId, [...messageIds]))
      found.set(keyOf(workspaceId, event.messageId), event.seq);
  }
  const outcomes: AppendOutcome[] = [];
  const seen = new Set<string>();
  for (const { workspaceId, event } of input.items) {
    const key = keyOf(workspaceId, event.messageId);
    const seq = found.get(key);
    if (seq === undefined) return undefined;
    outcomes.push(
      seq > input.appliedSeq && !seen.has(key) ? { kind: 'appended', seq } : { kind: 'duplicate' },
    );
    seen.add(key);
  }
  return outcomes;
}
