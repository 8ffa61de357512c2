import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildChannelAdapters,
  type ChannelAdapters,
  webhookSecrets,
} from '../../src/activate/build-adapters.ts';
import type { OutboundMessage, ProviderChannel } from '../../src/activate/channel.ts';
import type {
  ChannelsDef,
  EmailChannelDef,
  SmsChannelDef,
  WebhookChannelDef,
  WhatsAppChannelDef,
} from '../../src/activate/channels-def.ts';
import { startLocalTwilio } from '../../src/activate/local/local-twilio.ts';
import { startLocalWhatsApp } from '../../src/activate/local/local-whatsapp.ts';
import { LOOPBACK_HOSTS, networkPolicy } from '../../src/activate/outbound/network-policy.ts';
import { startLocalWebhookReceiver } from '../support/local-webhook-receiver.ts';
import { thrownTailorError } from '../support/thrown.ts';

/** The environment the channels read their secrets from; every value is long and unique, to be searched for. */
const ENV: NodeJS.ProcessEnv = {
  TAILOR_SECRET_SMTP_PASSWORD: 'env-smtp-password-5e1f',
  TAILOR_SECRET_LINK: 'env-link-secret-0123456789abcdef',
  TAILOR_SECRET_WHATSAPP_ACCESS_TOKEN: 'env-whatsapp-access-token-77aa',
  TAILOR_SECRET_WHATSAPP_APP_SECRET: 'env-whatsapp-app-secret-91bc',
  TAILOR_SECRET_WHATSAPP_VERIFY_TOKEN: 'env-whatsapp-verify-token-3d0e',
  TAILOR_SECRET_TWILIO_AUTH_TOKEN: 'env-twilio-auth-token-c4f2',
  TAILOR_SECRET_CRM_WEBHOOK: 'env-crm-webhook-secret-8b61',
};

const EMAIL: EmailChannelDef = {
  host: '127.0.0.1',
  port: 2525,
  secure: false,
  user: 'tailor',
  password: `\${TAILOR_SECRET_SMTP_PASSWORD}`,
  from: 'Tailor Demo <hello@example.com>',
  linkBaseUrl: 'http://127.0.0.1:3000',
  linkSecret: `\${TAILOR_SECRET_LINK}`,
  ratePerSecond: 20,
};

const WHATSAPP: WhatsAppChannelDef = {
  baseUrl: 'http://127.0.0.1:4010/v21.0',
  phoneNumberId: '1234567890',
  accessToken: `\${TAILOR_SECRET_WHATSAPP_ACCESS_TOKEN}`,
  appSecret: `\${TAILOR_SECRET_WHATSAPP_APP_SECRET}`,
  verifyToken: `\${TAILOR_SECRET_WHATSAPP_VERIFY_TOKEN}`,
};

const SMS: SmsChannelDef = {
  baseUrl: 'http://127.0.0.1:4011',
  accountSid: 'AC00000000000000000000000000000001',
  authToken: `\${TAILOR_SECRET_TWILIO_AUTH_TOKEN}`,
  from: '+15005550006',
  ratePerSecond: 10,
};

const WEBHOOK: WebhookChannelDef = {
  url: 'https://crm.example.com/tailor',
  secret: `\${TAILOR_SECRET_CRM_WEBHOOK}`,
  ratePerSecond: 5,
};

/** The local provider servers of these tests are on this machine. */
const LOCAL_TEST_NETWORK = networkPolicy(LOOPBACK_HOSTS);

/** Every channel configured, secrets as references; URLs point nowhere (nothing is sent). */
const ALL_CHANNELS: ChannelsDef = { email: EMAIL, whatsapp: WHATSAPP, sms: SMS, webhook: WEBHOOK };

function message(channel: ProviderChannel, to: string, content: Record<string, unknown>): OutboundMessage {
  return { id: `dec_1:${channel}`, channel, to, content, profileId: 'prof_1', action: 'nudge' };
}

const cleanups: (() => unknown)[] = [];

/** Builds adapters that are closed after the test. */
function build(channels: ChannelsDef, env: NodeJS.ProcessEnv): ChannelAdapters {
  const built = buildChannelAdapters(channels, { env, network: LOCAL_TEST_NETWORK });
  cleanups.push(() => built.close());
  return built;
}

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('building channel adapters', () => {
  it('builds one adapter per configured channel, with the rates that are set', () => {
    const built = build(ALL_CHANNELS, ENV);
    expect([...built.adapters.keys()]).toEqual(['email', 'whatsapp', 'sms', 'webhook']);
    for (const [channel, adapter] of built.adapters) expect(adapter.channel).toBe(channel);
    expect([...built.ratePerSecond]).toEqual([
      ['email', 20],
      ['sms', 10],
      ['webhook', 5],
    ]);
  });

  it('builds nothing for no channels, and only what is configured', () => {
    expect(build({}, {}).adapters.size).toBe(0);
    const built = build(
      { webhook: { url: 'https://crm.example.com/tailor', secret: `\${TAILOR_SECRET_CRM_WEBHOOK}` } },
      ENV,
    );
    expect([...built.adapters.keys()]).toEqual(['webhook']);
    expect(built.ratePerSecond.size).toBe(0);
  });

  it('keeps secrets out of everything returned but the adapters themselves', () => {
    const built = build(ALL_CHANNELS, ENV);
    const text = JSON.stringify({
      adapters: [...built.adapters],
      ratePerSecond: [...built.ratePerSecond],
      built,
    });
    for (const secret of Object.values(ENV)) expect(text).not.toContain(secret);
  });

  it('names a variable that is not set, and every one missing at once', () => {
    const { TAILOR_SECRET_TWILIO_AUTH_TOKEN: _unset, ...withoutTwilio } = ENV;
    const error = thrownTailorError(() =>
      buildChannelAdapters(ALL_CHANNELS, { env: withoutTwilio, network: LOCAL_TEST_NETWORK }),
    );
    expect(error.code).toBe('INVALID_WORKSPACE');
    expect(error.message).toBe(
      'channels.sms.auth_token reads the environment variable TAILOR_SECRET_TWILIO_AUTH_TOKEN, which is not set',
    );
    expect(error.details).toEqual([
      {
        path: 'channels.sms.auth_token',
        message: 'set TAILOR_SECRET_TWILIO_AUTH_TOKEN in the environment Tailor runs in',
      },
    ]);

    const several = thrownTailorError(() =>
      buildChannelAdapters(ALL_CHANNELS, {
        env: { TAILOR_SECRET_SMTP_PASSWORD: '' },
        network: LOCAL_TEST_NETWORK,
      }),
    );
    expect(several.details.map((detail) => detail.path)).toEqual([
      'channels.email.password',
      'channels.email.link_secret',
      'channels.whatsapp.access_token',
      'channels.sms.auth_token',
      'channels.webhook.secret',
    ]);
    expect(several.message).toMatch(
      /^5 channel secrets cannot be read: .*TAILOR_SECRET_SMTP_PASSWORD.*TAILOR_SECRET_CRM_WEBHOOK/,
    );
  });

  it('refuses a link secret too short to sign links, without repeating it', () => {
    const short = { ...ENV, TAILOR_SECRET_LINK: 'short-secret' };
    const error = thrownTailorError(() =>
      buildChannelAdapters(ALL_CHANNELS, { env: short, network: LOCAL_TEST_NETWORK }),
    );
    expect(error.details).toEqual([
      { path: 'channels.email.link_secret', message: expect.stringMatching(/at least 16 characters/) },
    ]);
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('short-secret');
  });

  it('uses literal secrets as they are', () => {
    const built = build({ webhook: { url: 'http://127.0.0.1:4012/hook', secret: 'local-secret' } }, {});
    expect(built.adapters.get('webhook')?.channel).toBe('webhook');
  });
});

describe('sending through the built adapters', () => {
  it('sends on WhatsApp, SMS and the webhook with the secrets read from the environment', async () => {
    const whatsapp = await startLocalWhatsApp({ accessToken: ENV.TAILOR_SECRET_WHATSAPP_ACCESS_TOKEN ?? '' });
    const twilio = await startLocalTwilio({ authToken: ENV.TAILOR_SECRET_TWILIO_AUTH_TOKEN ?? '' });
    const receiver = await startLocalWebhookReceiver({ secret: ENV.TAILOR_SECRET_CRM_WEBHOOK ?? '' });
    cleanups.push(
      () => whatsapp.close(),
      () => twilio.close(),
      () => receiver.close(),
    );
    const { adapters } = build(
      {
        whatsapp: { ...WHATSAPP, baseUrl: whatsapp.baseUrl, phoneNumberId: whatsapp.phoneNumberId },
        sms: { ...SMS, baseUrl: twilio.url, accountSid: twilio.accountSid },
        webhook: { url: receiver.url, secret: `\${TAILOR_SECRET_CRM_WEBHOOK}` },
      },
      ENV,
    );
    const sends = await Promise.all([
      adapters.get('whatsapp')?.send(message('whatsapp', '+919876543210', { text: 'Hi on WhatsApp' })),
      adapters.get('sms')?.send(message('sms', '+15005550010', { text: 'Hi by SMS' })),
      adapters.get('webhook')?.send(message('webhook', 'crm_42', { text: 'Hi CRM' })),
    ]);
    expect(sends.map((outcome) => outcome?.kind)).toEqual(['sent', 'sent', 'sent']);
    expect(whatsapp.accepted().map((sent) => sent.text)).toEqual(['Hi on WhatsApp']);
    expect(twilio.messages().map((sent) => [sent.body, sent.from])).toEqual([['Hi by SMS', '+15005550006']]);
    expect(receiver.deliveries().map((delivery) => delivery.verified)).toEqual([true]);
  });

  it('sends email with the SMTP login, and unsubscribe links under the link base', async () => {
    const logins: { user: string; pass: string }[] = [];
    const mails: string[] = [];
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      closeTimeout: 100,
      onAuth(auth, _session, callback) {
        logins.push({ user: auth.username ?? '', pass: auth.password ?? '' });
        callback(null, { user: auth.username });
      },
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          mails.push(Buffer.concat(chunks).toString('utf8'));
          callback(null);
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.server.address() as AddressInfo).port;
    const { adapters } = build({ email: { ...EMAIL, port } }, ENV);
    const outcome = await adapters
      .get('email')
      ?.send(message('email', 'asha@example.com', { subject: 'Hello', text: 'Hi by email' }));
    expect(outcome?.kind).toBe('sent');
    expect(logins).toEqual([{ user: 'tailor', pass: ENV.TAILOR_SECRET_SMTP_PASSWORD }]);
    const raw = (mails[0] ?? '').replace(/\r\n[ \t]+/g, ' ');
    expect(raw).toMatch(/^From: Tailor Demo <hello@example\.com>/m);
    expect(raw).toMatch(
      /^List-Unsubscribe: <http:\/\/127\.0\.0\.1:3000\/v1\/u\/[\w.-]+>, <mailto:hello@example\.com\?subject=/m,
    );
  });
});

describe('the secrets of the webhook routes', () => {
  it('reads the secrets of the configured channels from the environment', () => {
    expect(webhookSecrets(ALL_CHANNELS, ENV)).toEqual({
      whatsappAppSecret: ENV.TAILOR_SECRET_WHATSAPP_APP_SECRET,
      whatsappVerifyToken: ENV.TAILOR_SECRET_WHATSAPP_VERIFY_TOKEN,
      twilioAuthToken: ENV.TAILOR_SECRET_TWILIO_AUTH_TOKEN,
      linkSecret: ENV.TAILOR_SECRET_LINK,
    });
    expect(webhookSecrets({ webhook: WEBHOOK }, ENV)).toEqual({});
  });

  it('names a variable that is not set', () => {
    const { TAILOR_SECRET_WHATSAPP_APP_SECRET: _unset, ...env } = ENV;
    const error = thrownTailorError(() => webhookSecrets(ALL_CHANNELS, env));
    expect(error.message).toMatch(
      /channels\.whatsapp\.app_secret reads the environment variable TAILOR_SECRET_WHATSAPP_APP_SECRET/,
    );
  });
});
