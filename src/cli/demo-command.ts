import { deliverWebhook } from '../activate/local/local-whatsapp.ts';
import { type Connection, callApi } from './connection.ts';
import { type DemoActivation, demoActivation } from './demo-activation.ts';
import { type DemoCast, nextDemoCast } from './demo-cast.ts';
import { type DemoDecisions, demoDecisions } from './demo-decisions.ts';
import {
  DEMO_WHATSAPP,
  type DemoProviders,
  demoChannels,
  pointDemoChannels,
  portOf,
  startDemoProviders,
} from './demo-providers.ts';
import { demoFeedback, demoPeople, demoPeopleFeedback, demoStory } from './demo-story.ts';

/** What the demo printed about the person, for tests and for the summary line. */
export interface DemoResult {
  profile: Record<string, unknown>;
  /** The events Tailor derived for her (segment entries, stage changes, risks), oldest first. */
  derived: { event: string; timestamp: string; properties: Record<string, unknown> }[];
  /** What Tailor decided for her and the people around her, through `POST /v1/decide`. */
  decisions: DemoDecisions;
  /** The loop through the local provider servers: the reminder sent, its callbacks, the order, an SMS STOP. */
  activation: DemoActivation;
  /** The people of this run: the README's on a fresh database, new ones on each later run. */
  cast: DemoCast;
  summary: string[];
}

/** The risk the demo story ends in, set by the demo workspace's detector. */
const DEMO_RISK = 'checkout_abandonment';
/** How long to wait for the server's timer to notice the abandoned checkout. */
const RISK_WAIT_MS = 5_000;

/**
 * `tailor demo`: sends the demo story through the public tracking API of a running Tailor
 * (the demo workspace), then reads the person's unified profile through the admin API and
 * prints what Tailor now knows about her. Her checkout ran out of time before the story ends,
 * so it waits (briefly) for the server's timer to record the abandonment. It can be run again on
 * the same data: each run tells the story with people of its own (`nextDemoCast`).
 */
export async function demoCommand(input: {
  connection: Connection;
  now: number;
  print: (line: string) => void;
}): Promise<DemoResult> {
  const { connection, now, print } = input;
  const cast = await nextDemoCast(connection);
  // The providers listen before the story is sent: her reminder goes out as soon as it is decided.
  const current = await demoChannels(connection);
  const providers = await startDemoProviders({
    whatsapp: portOf(current.whatsapp),
    sms: portOf(current.sms),
    meta: portOf(current.meta),
  });
  try {
    if (await pointDemoChannels({ connection, providers, current })) {
      print(
        `local providers on free ports (WhatsApp ${providers.whatsapp.baseUrl}, Twilio ${providers.twilio.url}): the demo workspace now sends there`,
      );
    }
    if (cast.run > 1) print(`run ${cast.run} on this data: new people, e.g. Meera is ${cast.meera.email}`);
    return await tellStory({ connection, now, print, providers, cast });
  } finally {
    await providers.close();
  }
}

async function tellStory(input: {
  connection: Connection;
  now: number;
  print: (line: string) => void;
  providers: DemoProviders;
  cast: DemoCast;
}): Promise<DemoResult> {
  const { connection, now, print, providers, cast } = input;
  const calls = [...demoStory(now, cast), ...demoPeople(now, cast)];
  // The checkouts go last: the server's timer marks them abandoned at once (they are in the
  // past), and by then the provider's reports must be in, as they were in the story's time.
  const checkout = (call: Record<string, unknown>) => call['event'] === 'Checkout Started';
  const send = (batch: Record<string, unknown>[]) =>
    callApi({
      connection,
      method: 'POST',
      path: '/v1/batch',
      auth: 'write',
      body: JSON.stringify({ batch }),
    });
  await send(calls.filter((call) => !checkout(call)));
  // What the WhatsApp provider reports comes through its signed webhook, as in production:
  // a write key cannot record a reply or a send.
  const feedback = [...demoFeedback(now, cast), ...demoPeopleFeedback(now, cast)];
  for (const payload of feedback) {
    const answer = await deliverWebhook(
      `${connection.url}/v1/webhooks/demo/whatsapp`,
      payload,
      DEMO_WHATSAPP.appSecret,
    );
    if (!answer.ok) throw new Error(`the WhatsApp webhook answered ${answer.status}: ${await answer.text()}`);
  }
  await send(calls.filter(checkout));
  print(
    `sent ${calls.length} events: Meera's visit from Instagram, pricing twice, sign-up and a checkout; Arjun's checkout; Kavya's two orders`,
  );
  print(
    `delivered ${feedback.length} signed WhatsApp webhooks: Meera's two replies, and the message Arjun got an hour ago`,
  );
  const ref = encodeURIComponent(`email:${cast.meera.email}`);
  const readProfile = async () =>
    (await callApi({ connection, method: 'GET', path: `/v1/profiles/${ref}`, auth: 'admin' })) as Record<
      string,
      unknown
    >;
  let profile = await readProfile();
  for (const started = Date.now(); !hasRisk(profile) && Date.now() - started < RISK_WAIT_MS; ) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    profile = await readProfile();
  }
  const timeline = (await callApi({
    connection,
    method: 'GET',
    path: `/v1/profiles/${ref}/events?limit=100`,
    auth: 'admin',
  })) as { events: Record<string, unknown>[] };
  const derived = timeline.events
    .filter((event) => (event.context as { tailor?: { derived?: boolean } } | undefined)?.tailor?.derived)
    .map((event) => ({
      event: String(event.event),
      timestamp: new Date(Number(event.timestamp)).toISOString(),
      properties: (event.properties ?? {}) as Record<string, unknown>,
    }))
    .reverse();
  const decisions = await demoDecisions(connection, cast);
  const activation = await demoActivation({ connection, providers, cast, now, reminder: decisions.meera });
  const summary = [...summarize(profile, derived), ...decisions.lines, ...activation.lines];
  print(JSON.stringify(profile, null, 2));
  for (const line of summary) print(line);
  print('');
  print(
    'Next: `npx tailor journeys` shows the checkout_recovery journey step by step (reached, waiting, sent, converted);',
  );
  print(`\`npx tailor profile email:${cast.meera.email} --events\` shows her timeline.`);
  return { profile, derived, decisions, activation, cast, summary };
}

function hasRisk(profile: Record<string, unknown>): boolean {
  const risks = profile.risks as Record<string, unknown> | undefined;
  return risks?.[DEMO_RISK] !== undefined;
}

function summarize(profile: Record<string, unknown>, derived: DemoResult['derived']): string[] {
  const identifiers = (profile.identifiers ?? {}) as Record<string, string[]>;
  const computed = (profile.computed ?? {}) as Record<string, unknown>;
  const scores = (profile.scores ?? {}) as Record<string, { value: number; label: string | null }>;
  const segments = Object.keys((profile.segments ?? {}) as Record<string, unknown>);
  const risks = Object.keys((profile.risks ?? {}) as Record<string, unknown>);
  const intent = scores.intent;
  const ids = Object.entries(identifiers).flatMap(([type, values]) =>
    values.map((value) => `${type}:${value}`),
  );
  return [
    `one profile (${String(profile.id)}) from ${ids.length} identifiers: ${ids.join(', ')}`,
    `preferred channel: ${String(computed.preferred_channel)}`,
    `intent: ${intent === undefined ? 'none' : `${intent.value} (${intent.label ?? 'no label'})`}`,
    `lifecycle stage: ${String(profile.lifecycle_stage ?? 'none')}`,
    `segments: ${segments.length === 0 ? 'none' : segments.join(', ')}`,
    `risks: ${risks.length === 0 ? 'none' : risks.join(', ')}`,
    `derived events: ${derived.map((event) => describe(event)).join(' → ') || 'none'}`,
  ];
}

function describe(event: DemoResult['derived'][number]): string {
  const { properties } = event;
  if (typeof properties.segment === 'string') return `${event.event} (${properties.segment})`;
  if (typeof properties.to === 'string') return `${event.event} (→ ${properties.to})`;
  return event.event;
}
