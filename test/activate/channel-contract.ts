import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelAdapter, OutboundMessage } from '../../src/activate/channel.ts';
import type { LocalProvider } from '../../src/activate/local/local-provider.ts';

export type { LocalProvider, ProviderFault } from '../../src/activate/local/local-provider.ts';

/** What the contract needs from each adapter's test: a fresh adapter wired to a fresh local provider. */
export interface ContractSetup {
  adapter: ChannelAdapter;
  provider: LocalProvider;
  /** A message this channel can send, to a valid address, whose text the provider will report. */
  message(id: string, text: string): OutboundMessage;
  /** Whether the provider accepts an idempotency key (then repeats of one id must not send twice). */
  idempotent: boolean;
}

/**
 * The contract every channel adapter passes, against its local provider server: a send
 * reaches the provider once with the right recipient and text and gives a provider message id;
 * a 5xx or a network error is `retry`; a 429 is `retry` honouring `Retry-After`; an invalid
 * recipient is `failed` and `unreachable`; and an adapter never throws for a provider's answer.
 */
export function channelContract(name: string, setup: () => Promise<ContractSetup>): void {
  describe(`${name} channel adapter contract`, () => {
    let context: ContractSetup;
    beforeEach(async () => {
      context = await setup();
    });
    afterEach(async () => {
      await context.provider.close();
    });

    it('delivers a message to the provider once, with its recipient and text, and returns the provider id', async () => {
      const message = context.message('dec-1-whatsapp', 'Hi Meera, your annual plan is waiting');
      const outcome = await context.adapter.send(message);
      expect(outcome.kind).toBe('sent');
      if (outcome.kind === 'sent') expect(outcome.providerMessageId).not.toBe('');
      const accepted = context.provider.accepted();
      expect(accepted).toHaveLength(1);
      expect(accepted[0]?.to).toBe(message.to);
      expect(accepted[0]?.text).toContain('Hi Meera, your annual plan is waiting');
      if (context.idempotent) expect(accepted[0]?.idempotencyKey).toBe(message.id);
    });

    it('answers retry on a server error, and the next attempt goes through', async () => {
      context.provider.failNext({ kind: 'server-error' });
      const message = context.message('dec-2', 'second try');
      expect((await context.adapter.send(message)).kind).toBe('retry');
      expect((await context.adapter.send(message)).kind).toBe('sent');
      expect(context.provider.accepted()).toHaveLength(1);
    });

    it('answers retry after the Retry-After the provider gave on a 429', async () => {
      context.provider.failNext({ kind: 'rate-limited', retryAfterSeconds: 7 });
      const outcome = await context.adapter.send(context.message('dec-3', 'slow down'));
      expect(outcome).toMatchObject({ kind: 'retry', retryAfterMs: 7_000 });
    });

    it('answers failed and unreachable for an invalid recipient, without throwing', async () => {
      context.provider.failNext({ kind: 'invalid-recipient' });
      const outcome = await context.adapter.send(context.message('dec-4', 'nobody there'));
      expect(outcome).toMatchObject({ kind: 'failed', unreachable: true });
      expect(context.provider.accepted()).toHaveLength(0);
    });

    it('answers retry when the provider cannot be reached at all', async () => {
      const message = context.message('dec-5', 'into the void');
      await context.provider.close();
      const outcome = await context.adapter.send(message);
      expect(outcome.kind).toBe('retry');
    });
  });
}
