import { type LocalTwilio, startLocalTwilio } from '../activate/local/local-twilio.ts';
import { type LocalWhatsApp, startLocalWhatsApp } from '../activate/local/local-whatsapp.ts';

/**
 * The demo's provider settings, as `channels` in examples/demo/tailor.yaml gives them: the local
 * WhatsApp Cloud API and Twilio servers `tailor demo` starts listen on these ports with these
 * (made-up) credentials, so the running Tailor sends to them and accepts their callbacks.
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

/** The local providers of the demo, running. */
export interface DemoProviders {
  whatsapp: LocalWhatsApp;
  twilio: LocalTwilio;
  close(): Promise<void>;
}

/**
 * Starts the local WhatsApp and Twilio servers on the demo's ports. Fails with a clear message
 * when a port is taken (another demo still running).
 */
export async function startDemoProviders(): Promise<DemoProviders> {
  const whatsapp = await startLocalWhatsApp({
    port: DEMO_WHATSAPP.port,
    phoneNumberId: DEMO_WHATSAPP.phoneNumberId,
    accessToken: DEMO_WHATSAPP.accessToken,
  }).catch((error: unknown) => {
    throw new Error(`cannot start the local WhatsApp server on port ${DEMO_WHATSAPP.port}: ${String(error)}`);
  });
  const twilio = await startLocalTwilio({
    port: DEMO_TWILIO.port,
    accountSid: DEMO_TWILIO.accountSid,
    authToken: DEMO_TWILIO.authToken,
  }).catch(async (error: unknown) => {
    await whatsapp.close();
    throw new Error(`cannot start the local Twilio server on port ${DEMO_TWILIO.port}: ${String(error)}`);
  });
  return {
    whatsapp,
    twilio,
    async close() {
      await whatsapp.close();
      await twilio.close();
    },
  };
}
