import { afterEach, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../src/activate/channel.ts';
import { createWebhookAdapter } from '../../src/activate/webhook/webhook-adapter.ts';
import { signWebhookBody, verifyWebhookSignature } from '../../src/activate/webhook/webhook-signature.ts';
import { fakeClock } from '../../src/clock.ts';
import { type LocalWebhookReceiver, startLocalWebhookReceiver } from '../support/local-webhook-receiver.ts';
import { channelContract } from './channel-contract.ts';

const SECRET = 'whsec-local-test-secret';

function webhookMessage(id: string, text: string): OutboundMessage {
  return {
    id,
    channel: 'webhook',
    to: 'crm-contact-42',
    content: { text, offer: 'annual-plan' },
    profileId: 'prof-meera',
    action: 'annual-plan',
  };
}

channelContract('webhook', async () => {
  const provider = await startLocalWebhookReceiver({ secret: SECRET });
  const adapter = createWebhookAdapter({ url: provider.url, secret: SECRET });
  return { adapter, provider, message: webhookMessage, idempotent: true };
});

describe('webhook adapter', () => {
  let receiver: LocalWebhookReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('posts the documented JSON body with timestamp, signature and idempotency headers', async () => {
    const clock = fakeClock('2026-03-01T10:00:00Z');
    receiver = await startLocalWebhookReceiver({ secret: SECRET, now: clock.now });
    const adapter = createWebhookAdapter({ url: receiver.url, secret: SECRET, now: clock.now });
    const outcome = await adapter.send(webhookMessage('dec-1-webhook', 'Hi Meera'));
    expect(outcome).toEqual({ kind: 'sent', providerMessageId: 'rcv-1' });
    const [delivery] = receiver.deliveries();
    expect(delivery?.verified).toBe(true);
    expect(JSON.parse(delivery?.body ?? '')).toEqual({
      id: 'dec-1-webhook',
      to: 'crm-contact-42',
      profile_id: 'prof-meera',
      action: 'annual-plan',
      content: { text: 'Hi Meera', offer: 'annual-plan' },
      sent_at: '2026-03-01T10:00:00.000Z',
    });
    const timestamp = String(clock.now() / 1000);
    expect(delivery?.headers['x-tailor-timestamp']).toBe(timestamp);
    expect(delivery?.headers['idempotency-key']).toBe('dec-1-webhook');
    expect(delivery?.headers['x-tailor-signature']).toBe(
      signWebhookBody({ body: delivery?.body ?? '', timestamp, secret: SECRET }),
    );
    expect(delivery?.headers['x-tailor-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
  });

  it('lets the receiver drop a repeat of the same idempotency key', async () => {
    receiver = await startLocalWebhookReceiver({ secret: SECRET });
    const adapter = createWebhookAdapter({ url: receiver.url, secret: SECRET });
    const first = await adapter.send(webhookMessage('dec-dup', 'once'));
    const second = await adapter.send(webhookMessage('dec-dup', 'once'));
    expect(second).toEqual(first);
    expect(receiver.accepted()).toHaveLength(1);
  });

  it('uses the message id when the receiver answers without a JSON id', async () => {
    const adapter = createWebhookAdapter({
      url: 'http://receiver.invalid/hook',
      secret: SECRET,
      fetch: async () => new Response('ok', { status: 202 }),
    });
    expect(await adapter.send(webhookMessage('dec-plain', 'x'))).toEqual({
      kind: 'sent',
      providerMessageId: 'dec-plain',
    });
  });

  it('fails a rejected signature without marking the subject unreachable, hiding the secret', async () => {
    receiver = await startLocalWebhookReceiver({ secret: 'the-receivers-secret' });
    const adapter = createWebhookAdapter({ url: receiver.url, secret: SECRET });
    const outcome = await adapter.send(webhookMessage('dec-wrong', 'x'));
    expect(outcome).toMatchObject({ kind: 'failed', unreachable: false });
    if (outcome.kind === 'failed') expect(outcome.reason).not.toContain(SECRET);
    expect(receiver.accepted()).toHaveLength(0);
  });

  it('retries a 503 after its Retry-After', async () => {
    const adapter = createWebhookAdapter({
      url: 'http://receiver.invalid/hook',
      secret: SECRET,
      fetch: async () => new Response('', { status: 503, headers: { 'retry-after': '30' } }),
    });
    expect(await adapter.send(webhookMessage('dec-503', 'x'))).toMatchObject({
      kind: 'retry',
      retryAfterMs: 30_000,
    });
  });
});

describe('verifyWebhookSignature', () => {
  const now = Date.parse('2026-03-01T10:00:00Z');
  const timestamp = String(now / 1000);
  const body = JSON.stringify({ id: 'dec-1', content: { text: 'hello' } });
  const signature = signWebhookBody({ body, timestamp, secret: SECRET });

  it('accepts a genuine, fresh request', () => {
    expect(verifyWebhookSignature({ body, timestamp, signature, secret: SECRET, now })).toBe(true);
    expect(verifyWebhookSignature({ body, timestamp, signature, secret: SECRET, now: now + 299_000 })).toBe(
      true,
    );
  });

  it('rejects a replay outside the window, and honours a custom window', () => {
    expect(verifyWebhookSignature({ body, timestamp, signature, secret: SECRET, now: now + 301_000 })).toBe(
      false,
    );
    expect(verifyWebhookSignature({ body, timestamp, signature, secret: SECRET, now: now - 301_000 })).toBe(
      false,
    );
    const tight = { body, timestamp, signature, secret: SECRET, toleranceMs: 10_000 };
    expect(verifyWebhookSignature({ ...tight, now: now + 11_000 })).toBe(false);
  });

  it('rejects a tampered body, a moved timestamp, a wrong secret and missing headers', () => {
    const tampered = body.replace('hello', 'hellO');
    expect(verifyWebhookSignature({ body: tampered, timestamp, signature, secret: SECRET, now })).toBe(false);
    const moved = String(now / 1000 + 1);
    expect(verifyWebhookSignature({ body, timestamp: moved, signature, secret: SECRET, now })).toBe(false);
    expect(verifyWebhookSignature({ body, timestamp, signature, secret: 'other', now })).toBe(false);
    expect(verifyWebhookSignature({ body, timestamp: undefined, signature, secret: SECRET, now })).toBe(
      false,
    );
    expect(verifyWebhookSignature({ body, timestamp, signature: undefined, secret: SECRET, now })).toBe(
      false,
    );
    expect(verifyWebhookSignature({ body, timestamp: 'soon', signature, secret: SECRET, now })).toBe(false);
  });

  it('accepts any of several signatures, for secret rotation', () => {
    const old = signWebhookBody({ body, timestamp, secret: 'old-secret' });
    const both = `${old}, ${signature}`;
    expect(verifyWebhookSignature({ body, timestamp, signature: both, secret: SECRET, now })).toBe(true);
  });
});
