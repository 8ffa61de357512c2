import { afterEach, describe, expect, it } from 'vitest';
import { buildChannelAdapters } from '../../src/activate/build-adapters.ts';
import type { OutboundMessage, ProviderChannel } from '../../src/activate/channel.ts';
import type { ChannelsDef } from '../../src/activate/channels-def.ts';
import { createDestinationGuard } from '../../src/activate/outbound/destination-guard.ts';
import {
  isAllowedHost,
  type NetworkPolicy,
  STRICT_NETWORK_POLICY,
} from '../../src/activate/outbound/network-policy.ts';
import { createWebhookAdapter } from '../../src/activate/webhook/webhook-adapter.ts';
import { DEMO_NETWORK_POLICY, readSettings } from '../../src/app/settings.ts';
import { fakeClock } from '../../src/clock.ts';
import { hashKey } from '../../src/engine/api-keys.ts';
import { Engine } from '../../src/engine/engine.ts';
import { buildServer } from '../../src/http/server.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { startLocalSmtp } from '../support/local-smtp.ts';
import { workspaceYaml } from '../support/test-tailor.ts';
import { type CaptureServer, startCaptureServer } from './capture-server.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function capture(redirectTo?: string): Promise<CaptureServer> {
  const server = await startCaptureServer(redirectTo === undefined ? {} : { redirectTo });
  cleanups.push(() => server.close());
  return server;
}

/** A message for a channel, to a number or address each adapter takes. */
function message(channel: ProviderChannel): OutboundMessage {
  const to = channel === 'email' ? 'ada@example.com' : '+919845012345';
  const content =
    channel === 'email'
      ? { subject: 'Hi', text: 'Your checkout is waiting' }
      : { text: 'Your checkout is waiting' };
  return { id: `dec_1:${channel}`, channel, to, content, profileId: 'prf_1', action: 'nudge' };
}

/** Every HTTP provider channel pointed at `url`, with literal secrets (allowed for local hosts). */
function httpChannels(url: string): Record<'whatsapp' | 'sms' | 'webhook', ChannelsDef> {
  return {
    whatsapp: {
      whatsapp: {
        baseUrl: url,
        phoneNumberId: '1',
        accessToken: 'wa-token',
        appSecret: 'a',
        verifyToken: 'v',
      },
    },
    sms: { sms: { baseUrl: url, accountSid: 'AC1', authToken: 'twilio-token', from: '+15005550006' } },
    webhook: { webhook: { url: `${url}/hook`, secret: 'webhook-secret' } },
  };
}

function adapterFor(channels: ChannelsDef, channel: ProviderChannel, network: NetworkPolicy) {
  const built = buildChannelAdapters(channels, { env: {}, network });
  cleanups.push(() => built.close());
  const adapter = built.adapters.get(channel);
  if (adapter === undefined) throw new Error(`no ${channel} adapter`);
  return adapter;
}

describe('provider calls never follow redirects', () => {
  it.each(['whatsapp', 'sms', 'webhook'] as const)(
    'a %s provider answering 307 fails the send, and the address it names never hears from Tailor',
    async (channel) => {
      const second = await capture();
      const first = await capture(second.url);
      const adapter = adapterFor(httpChannels(first.url)[channel], channel, DEMO_NETWORK_POLICY);
      const outcome = await adapter.send(message(channel));
      expect(outcome).toEqual({
        kind: 'failed',
        reason: expect.stringMatching(
          /answered HTTP 307, a redirect to http:\/\/127\.0\.0\.1:\d+\/.*never follows/,
        ),
        unreachable: false,
      });
      expect(first.requests).toHaveLength(1);
      expect(second.requests).toEqual([]);
    },
  );
});

/** An in-process Tailor under `network`, with the admin key `ak_shop`. */
async function openTailor(network?: NetworkPolicy) {
  const store = new SqliteStore({ path: ':memory:' });
  const engine = await Engine.open({
    store,
    clock: fakeClock('2026-03-01T10:00:00Z').now,
    checkpointIntervalMs: 60_000,
  });
  await engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop') }));
  await store.addKey({ workspaceId: 'shop', kind: 'admin', hash: hashKey('ak_shop') });
  const app = await buildServer({ engine, ...(network === undefined ? {} : { network }) });
  cleanups.push(async () => {
    await app.close();
    await engine.close();
  });
  return app;
}

async function applyWorkspace(app: Awaited<ReturnType<typeof openTailor>>, channels: string) {
  const response = await app.inject({
    method: 'PUT',
    url: '/v1/workspace',
    headers: { authorization: 'Bearer ak_shop', 'content-type': 'application/yaml' },
    payload: `workspace:\n  id: shop\n  name: Shop\nchannels:\n${channels}`,
  });
  return { status: response.statusCode, body: response.json() };
}

const webhookAt = (url: string) => `  webhook:\n    url: ${url}\n    secret: \${TAILOR_SECRET_HOOK}\n`;

describe('provider URLs are https to public addresses unless the deployment allows the host', () => {
  it('refuses an http: URL when the workspace is applied, at its position', async () => {
    const app = await openTailor();
    const { status, body } = await applyWorkspace(app, webhookAt('http://crm.example.com/hook'));
    expect(status).toBe(400);
    expect(body.details).toEqual([
      {
        path: 'request body:6:10 channels.webhook.url',
        message: expect.stringMatching(
          /is not encrypted: use https:, as http: is allowed only for hosts listed in TAILOR_ALLOW_HTTP_HOSTS/,
        ),
      },
    ]);
  });

  it('refuses http://127.0.0.1 by default, and takes it where the deployment lists the host', async () => {
    const strict = await openTailor();
    expect((await applyWorkspace(strict, webhookAt('http://127.0.0.1:4012/hook'))).status).toBe(400);
    const local = await openTailor(DEMO_NETWORK_POLICY);
    expect((await applyWorkspace(local, webhookAt('http://127.0.0.1:4012/hook'))).status).toBe(200);
  });

  it.each([
    'https://10.0.0.5/hook',
    'https://172.16.3.4/hook',
    'https://192.168.1.1/hook',
    'https://127.0.0.2/hook',
    'https://169.254.169.254/latest/meta-data',
    'https://0.0.0.0/hook',
    'https://[::1]/hook',
    'https://[fd12:3456::1]/hook',
    'https://[fe80::1]/hook',
    'https://[::ffff:10.0.0.1]/hook',
    'https://localhost/hook',
    'https://api.localhost/hook',
  ])('refuses the private address %s when the workspace is applied', async (url) => {
    const app = await openTailor();
    const { status, body } = await applyWorkspace(app, webhookAt(url));
    expect(status).toBe(400);
    expect(body.details).toEqual([
      {
        path: 'request body:6:10 channels.webhook.url',
        message: expect.stringMatching(
          /private, loopback or link-local address: Tailor reaches only public hosts/,
        ),
      },
    ]);
  });

  it.each(['10.1.1.1', '192.168.1.10', '127.0.0.1', 'localhost'])(
    'refuses the SMTP host %s',
    async (host) => {
      const app = await openTailor();
      const { status, body } = await applyWorkspace(
        app,
        `  email:\n    host: ${host}\n    port: 587\n    from: a@example.com\n    link_base_url: https://t.example.com\n    link_secret: \${TAILOR_SECRET_LINK}\n`,
      );
      expect(status).toBe(400);
      expect(body.details).toEqual([
        {
          path: 'request body:6:11 channels.email.host',
          message: expect.stringMatching(/private, loopback or link-local/),
        },
      ]);
    },
  );

  it('takes https: to a public host', async () => {
    const app = await openTailor();
    expect((await applyWorkspace(app, webhookAt('https://crm.example.com/hook'))).status).toBe(200);
  });
});

describe('destinations are checked again at send time', () => {
  it.each(['whatsapp', 'sms', 'webhook'] as const)(
    'a %s channel built without the workspace checks never calls a loopback server the deployment does not allow',
    async (channel) => {
      const server = await capture();
      const adapter = adapterFor(httpChannels(server.url)[channel], channel, STRICT_NETWORK_POLICY);
      const outcome = await adapter.send(message(channel));
      expect(outcome).toMatchObject({
        kind: 'failed',
        reason: expect.stringMatching(/not called: .*not encrypted/),
      });
      expect(server.requests).toEqual([]);
    },
  );

  it('an SMTP server at a loopback address gets no mail', async () => {
    const smtp = await startLocalSmtp();
    cleanups.push(() => smtp.close());
    const channels: ChannelsDef = {
      email: {
        host: '127.0.0.1',
        port: smtp.port,
        from: 'hello@example.com',
        linkBaseUrl: 'https://t.example.com',
        linkSecret: 'a-link-secret-0123456789',
      },
    };
    const outcome = await adapterFor(channels, 'email', STRICT_NETWORK_POLICY).send(message('email'));
    expect(outcome).toMatchObject({
      kind: 'failed',
      reason: expect.stringMatching(/SMTP server not called: 127.0.0.1 is a private/),
    });
    expect(smtp.mails()).toEqual([]);
  });

  it('a public name that resolves to a private address is refused before the call', async () => {
    const answers: Record<string, string> = {
      'hooks.example.com': '10.0.0.7',
      'api.example.com': '93.184.216.34',
    };
    const guard = createDestinationGuard(STRICT_NETWORK_POLICY, async (host) => [
      { address: answers[host] ?? '' },
    ]);
    const calls: string[] = [];
    const adapter = createWebhookAdapter({
      url: 'https://hooks.example.com/tailor',
      secret: 'webhook-secret',
      guard,
      fetch: async (input) => {
        calls.push(String(input));
        return new Response('{}', { status: 200 });
      },
    });
    const outcome = await adapter.send(message('webhook'));
    expect(outcome).toMatchObject({
      kind: 'failed',
      reason: expect.stringMatching(/hooks\.example\.com resolves to 10\.0\.0\.7/),
    });
    expect(calls).toEqual([]);
    expect(await guard({ url: 'https://api.example.com/x' })).toBeUndefined();
    expect(await guard({ host: 'hooks.example.com' })).toMatch(/resolves to 10\.0\.0\.7/);
  });
});

describe('the allow-list is a deployment setting', () => {
  it('is empty unless TAILOR_ALLOW_HTTP_HOSTS is set, but for the demo workspace', () => {
    const own = readSettings({ config: 'my-tailor.yaml' }, {});
    expect([...own.network.allowHttpHosts]).toEqual([]);
    const demo = readSettings({}, {});
    expect([...demo.network.allowHttpHosts]).toEqual(['127.0.0.1', 'localhost', '::1']);
    const listed = readSettings(
      { config: 'my-tailor.yaml' },
      { TAILOR_ALLOW_HTTP_HOSTS: ' 10.0.0.5, [::1] ,Mail.Local' },
    );
    expect([...listed.network.allowHttpHosts]).toEqual(['10.0.0.5', '::1', 'mail.local']);
    expect(isAllowedHost(listed.network, '[::1]')).toBe(true);
    const none = readSettings({}, { TAILOR_ALLOW_HTTP_HOSTS: '' });
    expect(none.network.allowHttpHosts.size).toBe(0);
  });
});
