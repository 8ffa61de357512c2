import type { SendConfirmation } from '../activate/channel.ts';
import { sendOutcomeEvent } from '../activate/sends-from-decisions.ts';
import type { Clock } from '../clock.ts';
import type { TailorEvent } from '../ingest/event.ts';
import type { Outbox } from '../store/ports/outbox.ts';

/** What confirming sends needs of the engine: the outbox, the clock, and recording events. */
export interface SendConfirmer {
  readonly outbox: Pick<Outbox, 'confirmSend'>;
  readonly clock: Clock;
  record(workspaceId: string, events: TailorEvent[]): void;
}

/**
 * Marks the sends that verified provider callbacks name as `sent`, whatever attempt they were
 * at: a send in doubt after a crash (or one whose answer was lost to a timeout) is then not sent
 * again. Each send this changed gets its `Message Sent` recorded as when the dispatcher reads the
 * provider's answer — with the same event id, so whichever comes second is not logged twice.
 * Returns how many sends it changed; a callback naming an unknown or already sent send changes
 * nothing.
 */
export async function confirmSends(input: {
  engine: SendConfirmer;
  workspaceId: string;
  confirmations: SendConfirmation[];
}): Promise<number> {
  const { engine, workspaceId } = input;
  const events: TailorEvent[] = [];
  for (const { sendId, providerMessageId } of input.confirmations) {
    const now = engine.clock();
    const send = await engine.outbox.confirmSend({ workspaceId, id: sendId, providerMessageId, at: now });
    if (send !== undefined)
      events.push(sendOutcomeEvent({ send, outcome: { kind: 'sent', providerMessageId }, now }));
  }
  engine.record(workspaceId, events);
  return events.length;
}
