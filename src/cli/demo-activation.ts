import {
  deliverWebhook,
  whatsAppReplyWebhook,
  whatsAppStatusWebhook,
} from '../activate/local/local-whatsapp.ts';
import { type Connection, callApi } from './connection.ts';
import type { DemoCast } from './demo-cast.ts';
import { type DemoDecision, decideForUser } from './demo-decisions.ts';
import { DEMO_META_ADS, DEMO_TWILIO, DEMO_WHATSAPP, type DemoProviders } from './demo-providers.ts';

/** The demo workspace's id, in provider callback URLs. */
const WORKSPACE = 'demo';
/** How long to wait for each step to show up. */
const STEP_WAIT_MS = 10_000;

/** What the demo saw of the activation loop. */
export interface DemoActivation {
  /** The reminder as the local WhatsApp server received it, and how long after the demo started waiting. */
  reminder: { to: string; text: string } | undefined;
  /** Meera's message events from the reminder's `Message Sent` on, oldest first, once her reply is in. */
  messageEvents: string[];
  preferredChannel: unknown;
  /** Her risks and stage once she completed the order. */
  afterOrder: { risks: Record<string, unknown>; stage: unknown; journey: string | null };
  /** What the local Meta Marketing API did with Meera once she was a customer: `removed from High intent leads`. */
  audience: string | undefined;
  kavya: { before: DemoDecision; sms: string | undefined; smsConsent: unknown; after: DemoDecision };
  lines: string[];
}

/**
 * Closes the demo loop through the local provider servers: waits for Meera's reminder to reach
 * the local WhatsApp Cloud API, has it report delivered and read and relay her reply, then
 * completes her order; Kavya gets a text through the local Twilio API, answers STOP, and the
 * next decision for her leaves SMS out.
 */
export async function demoActivation(input: {
  connection: Connection;
  providers: DemoProviders;
  /** The run's people. */
  cast: DemoCast;
  /** The story's clock: provider callbacks are stamped from it, as the story's events were. */
  now: number;
  /** Meera's decision: when quiet hours delay it, there is nothing to wait for yet. */
  reminder: DemoDecision;
}): Promise<DemoActivation> {
  const { connection, providers, cast } = input;
  // Her WhatsApp number as the Cloud API writes it (digits only).
  const meeraWhatsApp = cast.meera.phone.replace(/\D/g, '');
  const started = Date.now();
  const clock = (): number => input.now + (Date.now() - started);
  const ref = encodeURIComponent(`user_id:${cast.meera.userId}`);
  const lines = ['activation (local WhatsApp, Twilio and Meta Marketing API servers started by the demo):'];
  // Meta matches hashes to the people it knows; the local API knows Meera, to name her.
  providers.meta.knownPeople([cast.meera.email]);

  const delayed = input.reminder.action?.timing === 'delayed' ? input.reminder.action.send_at : null;
  const message =
    delayed === null
      ? await waitFor(() => providers.whatsapp.accepted().find((sent) => sent.to === meeraWhatsApp))
      : undefined;
  lines.push(
    delayed !== null
      ? `  it is quiet hours in India: the reminder waits in the outbox until ${delayed}; run the demo between 09:00 and 21:00 India time to see it go out and come back`
      : message === undefined
        ? '  the WhatsApp reminder did not reach the local server (is Tailor running the demo workspace?)'
        : `  WhatsApp Cloud API received for +${message.to}: "${message.text}"`,
  );
  if (message !== undefined) {
    const url = `${connection.url}/v1/webhooks/${WORKSPACE}/whatsapp`;
    const origin = { phoneNumberId: DEMO_WHATSAPP.phoneNumberId };
    const callbackData = message.body.biz_opaque_callback_data;
    for (const status of ['delivered', 'read'] as const) {
      await deliverWebhook(
        url,
        whatsAppStatusWebhook({
          ...origin,
          wamid: message.wamid,
          status,
          recipient: message.to,
          timestamp: clock(),
          ...(callbackData === undefined ? {} : { callbackData }),
        }),
        DEMO_WHATSAPP.appSecret,
      );
    }
    await deliverWebhook(
      url,
      whatsAppReplyWebhook({
        ...origin,
        from: message.to,
        text: 'Yes please, keep the annual plan for me',
        timestamp: clock(),
        contextId: message.wamid,
      }),
      DEMO_WHATSAPP.appSecret,
    );
  }
  const messageEvents =
    (await waitFor(async () => {
      const names = await timeline(connection, ref);
      const sent = names.lastIndexOf('Message Sent');
      const since = sent < 0 ? [] : names.slice(sent).filter((name) => name.startsWith('Message '));
      return since.includes('Message Replied') ? since : undefined;
    })) ?? [];
  const profile = await getProfile(connection, ref);
  const preferredChannel = (profile.computed as Record<string, unknown> | undefined)?.['preferred_channel'];
  lines.push(
    `  on her timeline: ${messageEvents.join(' → ') || 'nothing yet'}; preferred channel: ${String(preferredChannel)}`,
  );

  await callApi({
    connection,
    method: 'POST',
    path: '/v1/track',
    auth: 'write',
    body: JSON.stringify({
      userId: cast.meera.userId,
      event: 'Order Completed',
      properties: {
        order_id: `ORD-9001${cast.run === 1 ? '' : `-${cast.run}`}`,
        plan: 'annual',
        revenue: 11_988,
        currency: 'INR',
      },
    }),
  });
  const completed =
    (await waitFor(async () => {
      const current = await getProfile(connection, ref);
      return Object.keys((current.risks ?? {}) as object).length === 0 ? current : undefined;
    })) ?? (await getProfile(connection, ref));
  const journeys = (await callApi({
    connection,
    method: 'GET',
    path: `/v1/profiles/${ref}/journeys`,
    auth: 'admin',
  })) as { history?: { journey: string; last_outcome: string | null }[] };
  const recovery =
    journeys.history?.find((entry) => entry.journey === 'checkout_recovery')?.last_outcome ?? null;
  const afterOrder = {
    risks: (completed.risks ?? {}) as Record<string, unknown>,
    stage: completed.lifecycle_stage,
    journey: recovery,
  };
  lines.push(
    `  Meera completes the order: risks ${JSON.stringify(afterOrder.risks)}, lifecycle stage ${String(afterOrder.stage)}, checkout_recovery journey ${recovery ?? 'still running'}`,
  );
  const audience = await waitFor(
    () =>
      providers.meta
        .accepted()
        .find((change) => change.to === cast.meera.email && change.text.startsWith('removed from'))?.text,
  );
  lines.push(
    audience === undefined
      ? `  Meta Custom Audiences received nothing for Meera within ${STEP_WAIT_MS / 1000} s`
      : `  Meta Custom Audiences: Meera, now a customer, ${audience} (audience ${DEMO_META_ADS.audienceId}, hashed email and phone)`,
  );

  const kavyaRef = encodeURIComponent(`user_id:${cast.kavya.userId}`);
  const decideKavya = (): Promise<DemoDecision> =>
    decideForUser({ connection, userId: cast.kavya.userId, body: { actions: true } });
  const before = await decideKavya();
  const digits = cast.kavya.phone.replace(/\D/g, '');
  const smsDelayed = before.action?.timing === 'delayed' ? before.action.send_at : null;
  const sms =
    smsDelayed === null
      ? (
          await waitFor(() =>
            providers.twilio.messages().find((sent) => sent.to.replace(/\D/g, '') === digits),
          )
        )?.body
      : undefined;
  await providers.twilio.sendInbound({
    url: `${connection.url}/v1/webhooks/${WORKSPACE}/twilio/inbound`,
    from: cast.kavya.phone,
    to: DEMO_TWILIO.from,
    body: 'STOP',
  });
  const smsConsent = await waitFor(async () => {
    const consent = (await getProfile(connection, kavyaRef)).consent as Record<string, { granted: boolean }>;
    return consent?.['sms']?.granted === false ? false : undefined;
  });
  const after = await decideKavya();
  lines.push(
    `  Kavya: ${before.action?.action ?? 'no action'} on ${before.action?.channel ?? '-'}; ${smsDelayed === null ? `Twilio received "${sms ?? 'nothing'}"` : `waits for the end of quiet hours (${smsDelayed})`}`,
    `  Kavya texts STOP: SMS consent ${smsConsent === false ? 'withdrawn' : 'unchanged'}; next decision: ${after.action?.outcome === 'action' ? `${after.action.action} on ${after.action.channel}` : `no action (${after.action?.reason ?? ''})`}`,
  );
  return {
    reminder: message === undefined ? undefined : { to: message.to, text: message.text },
    messageEvents,
    preferredChannel,
    afterOrder,
    audience,
    kavya: { before, sms, smsConsent, after },
    lines,
  };
}

async function getProfile(connection: Connection, ref: string): Promise<Record<string, unknown>> {
  return (await callApi({ connection, method: 'GET', path: `/v1/profiles/${ref}`, auth: 'admin' })) as Record<
    string,
    unknown
  >;
}

/** Event names of a profile's timeline, oldest first. */
async function timeline(connection: Connection, ref: string): Promise<string[]> {
  const page = (await callApi({
    connection,
    method: 'GET',
    path: `/v1/profiles/${ref}/events?limit=200`,
    auth: 'admin',
  })) as { events: { event?: string }[] };
  return page.events.map((event) => event.event ?? '').reverse();
}

/** Polls `check` until it gives a value or the step's time runs out. */
async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>): Promise<T | undefined> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - started > STEP_WAIT_MS) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
