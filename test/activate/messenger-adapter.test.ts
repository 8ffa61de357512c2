import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../src/activate/channel.ts';
import {
  deliverMessengerWebhook,
  type LocalMessenger,
  startLocalMessenger,
} from '../../src/activate/local/local-messenger.ts';
import { createMessengerAdapter } from '../../src/activate/messenger/messenger-adapter.ts';
import { readMessengerWebhook } from '../../src/activate/messenger/messenger-webhook.ts';
import type { SendRecord } from '../../src/activate/send-record.ts';
import { fakeClock } from '../../src/clock.ts';
import { openActivationTailor } from '../support/activation-tailor.ts';
import { tempDir } from '../support/test-tailor.ts';
import { channelContract } from './channel-contract.ts';

const PSID = '6543210987654321';
const APP_SECRET = 'local-meta-app-secret';

function socialMessage(channel: 'messenger' | 'instagram', id: string, text: string): OutboundMessage {
  return { id, channel, to: PSID, content: { text }, profileId: 'prof-meera', action: 'reply' };
}

for (const channel of ['messenger', 'instagram'] as const) {
  channelContract(channel, async () => {
    const provider = await startLocalMessenger();
    const adapter = createMessengerAdapter({
      channel,
      baseUrl: provider.baseUrl,
      senderId: provider.senderId,
      accessToken: provider.accessToken,
    });
    return { adapter, provider, message: (id, text) => socialMessage(channel, id, text), idempotent: false };
  });
}

describe('Messenger and Instagram through the Send API', () => {
  let meta: LocalMessenger | undefined;
  afterEach(async () => {
    await meta?.close();
    meta = undefined;
  });

  async function adapter(accessToken?: string) {
    meta = await startLocalMessenger();
    return createMessengerAdapter({
      channel: 'messenger',
      baseUrl: meta.baseUrl,
      senderId: meta.senderId,
      accessToken: accessToken ?? meta.accessToken,
    });
  }

  it('posts a RESPONSE to the person’s page-scoped id and returns the message id', async () => {
    const messenger = await adapter();
    const outcome = await messenger.send(socialMessage('messenger', 'dec-1:messenger', 'Your order shipped'));
    const [sent] = meta?.messages() ?? [];
    expect(outcome).toEqual({ kind: 'sent', providerMessageId: sent?.mid });
    expect(sent?.body).toEqual({
      recipient: { id: PSID },
      messaging_type: 'RESPONSE',
      message: { text: 'Your order shipped' },
    });
  });

  it('reads a reply outside the 24-hour window as a failure that keeps the person reachable', async () => {
    const messenger = await adapter();
    meta?.failNext({ kind: 'outside-window' });
    const outcome = await messenger.send(socialMessage('messenger', 'dec-2:messenger', 'late'));
    expect(outcome).toMatchObject({ kind: 'failed', unreachable: false });
    if (outcome.kind === 'failed') expect(outcome.reason).toMatch(/24 hours.*2018278/);
  });

  it('fails on a rejected token without the token in the reason, and refuses an address that is no scoped id', async () => {
    const messenger = await adapter('stolen-page-token');
    const outcome = await messenger.send(socialMessage('messenger', 'dec-3:messenger', 'hi'));
    expect(outcome).toMatchObject({ kind: 'failed', unreachable: false });
    if (outcome.kind === 'failed') expect(outcome.reason).not.toContain('stolen-page-token');
    const bad = await messenger.send({
      ...socialMessage('messenger', 'dec-4:messenger', 'hi'),
      to: 'meera@example.com',
    });
    expect(bad).toMatchObject({ kind: 'failed', unreachable: true });
  });

  it('reads messaging webhooks: replies, deliveries and reads, by the scoped id, without the Page’s echoes', () => {
    const page = {
      object: 'page',
      entry: [
        {
          id: '104000000000001',
          time: 1_000,
          messaging: [
            {
              sender: { id: PSID },
              recipient: { id: '104' },
              timestamp: 1_000,
              message: { mid: 'm_1', text: 'Is it in stock?' },
            },
            {
              sender: { id: '104' },
              recipient: { id: PSID },
              timestamp: 1_001,
              message: { mid: 'm_2', text: 'Yes', is_echo: true },
            },
            { sender: { id: PSID }, recipient: { id: '104' }, delivery: { mids: ['m_3'], watermark: 1_002 } },
            { sender: { id: PSID }, recipient: { id: '104' }, timestamp: 1_003, read: { watermark: 1_003 } },
          ],
        },
      ],
    };
    const events = readMessengerWebhook(page, 'messenger');
    expect(events.map((event) => [event.event, event.messageId])).toEqual([
      ['Message Replied', 'm_1'],
      ['Message Delivered', 'm_3:delivered'],
      ['Message Read', `messenger-read-${PSID}-1003`],
    ]);
    expect(events[0]).toMatchObject({
      identifier: { type: 'messenger_psid', value: PSID },
      properties: { channel: 'messenger', text: 'Is it in stock?' },
    });
    // An Instagram payload is not read as Messenger's, and the other way round.
    expect(readMessengerWebhook(page, 'instagram')).toEqual([]);
    const instagram = readMessengerWebhook({ ...page, object: 'instagram' }, 'instagram');
    expect(instagram[0]?.identifier).toEqual({ type: 'instagram_igsid', value: PSID });
  });

  it('end to end: a signed conversation lands on the person, a forged one is refused, and the reply goes out on messenger', async () => {
    const dir = tempDir('tailor-messenger-');
    const now = Date.parse('2026-03-10T06:00:00Z');
    meta = await startLocalMessenger();
    const provider = meta;
    const t = await openActivationTailor({
      dir,
      clock: fakeClock(now),
      channels: () => ({
        messenger: {
          base_url: provider.baseUrl,
          page_id: provider.senderId,
          access_token: provider.accessToken,
          app_secret: APP_SECRET,
          verify_token: 'local-meta-verify-token',
        },
      }),
    });
    try {
      const url = `${t.url}/v1/webhooks/demo/messenger`;
      const handshake = await fetch(
        `${url}?hub.mode=subscribe&hub.verify_token=local-meta-verify-token&hub.challenge=42`,
      );
      expect(await handshake.text()).toBe('42');
      const inbound = {
        object: 'page',
        entry: [
          {
            id: provider.senderId,
            time: now,
            messaging: [
              {
                sender: { id: PSID },
                recipient: { id: provider.senderId },
                timestamp: now,
                message: { mid: 'm_in', text: 'Hello!' },
              },
            ],
          },
        ],
      };
      const logged = async () =>
        (await t.store.readEvents({ afterSeq: 0, limit: 100, workspaceId: 'demo' })).length;
      const before = await logged();
      expect((await deliverMessengerWebhook(url, inbound, 'not-the-app-secret')).status).toBe(401);
      await t.engine.commit();
      expect(await logged()).toBe(before);
      expect((await deliverMessengerWebhook(url, inbound, APP_SECRET)).status).toBe(200);
      await t.engine.commit();
      const profile = await t.engine.reads.peekProfile('demo', [`messenger_psid:${PSID}`]);
      expect(profile?.identifiers.messenger_psid).toEqual([PSID]);

      const send: SendRecord = {
        workspaceId: 'demo',
        id: 'dec-7:messenger',
        profileId: profile?.id ?? '',
        channel: 'messenger',
        to: PSID,
        content: { text: 'Thanks for writing!' },
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      };
      await t.store.enqueueSends([send]);
      for (let i = 0; i < 200 && provider.messages().length === 0; i += 1)
        await new Promise((r) => setTimeout(r, 10));
      expect(provider.messages().map((message) => [message.recipientId, message.text])).toEqual([
        [PSID, 'Thanks for writing!'],
      ]);
    } finally {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
