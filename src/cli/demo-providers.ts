import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { type LocalMetaAds, startLocalMetaAds } from '../activate/local/local-meta-ads.ts';
import { type LocalTwilio, startLocalTwilio } from '../activate/local/local-twilio.ts';
import { type LocalWhatsApp, startLocalWhatsApp } from '../activate/local/local-whatsapp.ts';
import { DEMO_WORKSPACE_FILE } from '../app/settings.ts';
import { type Connection, callApi } from './connection.ts';

/**
 * The demo's provider settings, as `channels` in examples/demo/tailor.yaml gives them: the local
 * WhatsApp Cloud API and Twilio servers `tailor demo` starts use these (made-up) credentials, so
 * the running Tailor sends to them and accepts their callbacks. They listen on the ports the
 * workspace names when those are free, else on any free port, which the demo then gives Tailor.
 */
export const DEMO_WHATSAPP = {
  port: 4010,
  phoneNumberId: '106540352242922',
  accessToken: 'demo-whatsapp-access-token',
  appSecret: 'demo-whatsapp-app-secret',
} as const;

export const DEMO_TWILIO = {
  port: 4011,
  accountSid: 'ACdemo0000000000000000000000000000',
  authToken: 'demo-twilio-auth-token',
  from: '+15005550006',
} as const;

/** The local Marketing API and the Custom Audience that mirrors `high_intent_leads`. */
export const DEMO_META_ADS = {
  port: 4012,
  accessToken: 'demo-meta-ads-access-token',
  audienceId: '23850000000000001',
  audienceName: 'High intent leads',
} as const;

/** The local providers of the demo, running. */
export interface DemoProviders {
  whatsapp: LocalWhatsApp;
  twilio: LocalTwilio;
  meta: LocalMetaAds;
  close(): Promise<void>;
}

/**
 * Starts the local WhatsApp and Twilio servers, each on its preferred port when it is free and on
 * any free port when it is taken (another demo, another program): a taken port never stops the
 * demo.
 */
export async function startDemoProviders(
  ports: { whatsapp?: number; sms?: number; meta?: number } = {},
): Promise<DemoProviders> {
  const whatsapp = await onFreePort(ports.whatsapp ?? DEMO_WHATSAPP.port, (port) =>
    startLocalWhatsApp({
      port,
      phoneNumberId: DEMO_WHATSAPP.phoneNumberId,
      accessToken: DEMO_WHATSAPP.accessToken,
    }),
  );
  const twilio = await onFreePort(ports.sms ?? DEMO_TWILIO.port, (port) =>
    startLocalTwilio({ port, accountSid: DEMO_TWILIO.accountSid, authToken: DEMO_TWILIO.authToken }),
  ).catch(async (error: unknown) => {
    await whatsapp.close();
    throw error;
  });
  const meta = await onFreePort(ports.meta ?? DEMO_META_ADS.port, (port) =>
    startLocalMetaAds({ port, accessToken: DEMO_META_ADS.accessToken }),
  ).catch(async (error: unknown) => {
    await whatsapp.close();
    await twilio.close();
    throw error;
  });
  meta.createAudience(DEMO_META_ADS.audienceName, DEMO_META_ADS.audienceId);
  return {
    whatsapp,
    twilio,
    meta,
    async close() {
      await whatsapp.close();
      await twilio.close();
      await meta.close();
    },
  };
}

/** Starts a server on `port`, or on any free port (0) when that one is taken. */
async function onFreePort<T>(port: number, start: (port: number) => Promise<T>): Promise<T> {
  try {
    return await start(port);
  } catch (error) {
    if (port !== 0 && error instanceof Error && 'code' in error && error.code === 'EADDRINUSE')
      return start(0);
    throw error;
  }
}

/** The demo workspace's provider addresses, as the running Tailor has them. */
interface DemoChannels {
  whatsapp: string | undefined;
  sms: string | undefined;
  meta: string | undefined;
}

/** Reads where the running Tailor sends the demo workspace's WhatsApp and SMS messages. */
export async function demoChannels(connection: Connection): Promise<DemoChannels> {
  const answer = await callApi({ connection, method: 'GET', path: '/v1/workspace', auth: 'admin' });
  const channels = field(field(answer, 'definition'), 'channels');
  const url = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    whatsapp: url(field(field(channels, 'whatsapp'), 'baseUrl')),
    sms: url(field(field(channels, 'sms'), 'baseUrl')),
    meta: url(field(field(channels, 'meta_audiences'), 'baseUrl')),
  };
}

/** The port of a provider address, when it names one. */
export function portOf(url: string | undefined): number | undefined {
  if (url === undefined) return undefined;
  const port = Number(new URL(url).port);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

/**
 * Points the demo workspace's channels at the local servers, when the running Tailor has them
 * elsewhere (a port was taken): applies examples/demo/tailor.yaml with their addresses, as
 * `tailor apply` would. Returns whether it had to.
 */
export async function pointDemoChannels(input: {
  connection: Connection;
  providers: DemoProviders;
  current: DemoChannels;
}): Promise<boolean> {
  const { connection, providers, current } = input;
  const whatsapp = providers.whatsapp.baseUrl;
  const sms = providers.twilio.url;
  const meta = providers.meta.baseUrl;
  if (current.whatsapp === whatsapp && current.sms === sms && current.meta === meta) return false;
  const document = parseDocument(await readFile(DEMO_WORKSPACE_FILE, 'utf8'));
  document.setIn(['channels', 'whatsapp', 'base_url'], whatsapp);
  document.setIn(['channels', 'sms', 'base_url'], sms);
  document.setIn(['channels', 'meta_audiences', 'base_url'], meta);
  await callApi({
    connection,
    method: 'PUT',
    path: '/v1/workspace',
    auth: 'admin',
    body: document.toString(),
    contentType: 'application/yaml',
  });
  return true;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && key in value
    ? (value as Record<string, unknown>)[key]
    : undefined;
}
