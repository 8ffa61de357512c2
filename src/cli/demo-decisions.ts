import { isJsonObject } from '../ingest/merge-objects.ts';
import { type Connection, callApi } from './connection.ts';
import type { DemoCast } from './demo-cast.ts';

/** An answer of `POST /v1/decide`, as far as the demo reads it. */
export interface DemoDecision {
  placements: Record<string, { variant: string | null; content: Record<string, unknown> | null }>;
  action?: {
    outcome: string;
    action: string | null;
    channel: string | null;
    timing: string | null;
    send_at: string | null;
    content: Record<string, unknown> | null;
    reason: string | null;
    context: Record<string, unknown>;
  };
}

/** The demo's four decisions and the lines that tell them. */
export interface DemoDecisions {
  meera: DemoDecision;
  bangaloreVisitor: DemoDecision;
  repeatCustomer: DemoDecision;
  capped: DemoDecision;
  lines: string[];
}

/** How long to wait for the decision Meera's abandoned checkout triggers. */
const TRIGGER_WAIT_MS = 5_000;

/**
 * Decides for a known person as the shop's server does, with the admin key
 * (`POST /v1/profiles/user_id:…/decide`): a write key personalizes for a userId only with the
 * identity token the shop's server makes, so the demo asks the server way.
 */
export async function decideForUser(input: {
  connection: Connection;
  userId: string;
  body: Record<string, unknown>;
}): Promise<DemoDecision> {
  return (await callApi({
    connection: input.connection,
    method: 'POST',
    path: `/v1/profiles/${encodeURIComponent(`user_id:${input.userId}`)}/decide`,
    auth: 'admin',
    body: JSON.stringify({ actions: false, trace: false, ...input.body }),
  })) as DemoDecision;
}

/**
 * What Tailor decided for each person of the demo. Meera's next best action is the decision the
 * `checkout_recovery` journey made when her `Checkout Abandoned` started it (read from her
 * timeline: asking again would be capped by it). The first-time visitor from Bangalore gets her
 * home banner through the same `POST /v1/decide` a website calls with its write key; Kavya (a
 * repeat customer) her offer block and Arjun his action while the WhatsApp cap holds are asked
 * for by the shop's server (`decideForUser`).
 */
export async function demoDecisions(connection: Connection, cast: DemoCast): Promise<DemoDecisions> {
  const decide = async (body: Record<string, unknown>): Promise<DemoDecision> =>
    (await callApi({
      connection,
      method: 'POST',
      path: '/v1/decide',
      auth: 'write',
      body: JSON.stringify(body),
    })) as DemoDecision;
  const meera = await triggeredDecision(connection, `user_id:${cast.meera.userId}`);
  const bangaloreVisitor = await decide({
    anonymousId: `demo-visitor-${Date.now().toString(36)}`,
    placements: ['home_banner'],
    context: { location: { city: 'Bangalore', country: 'IN' } },
  });
  const repeatCustomer = await decideForUser({
    connection,
    userId: cast.kavya.userId,
    body: { placements: ['offer_block'] },
  });
  const capped = await decideForUser({
    connection,
    userId: cast.arjun.userId,
    body: { actions: true, context: { timezone: 'Asia/Kolkata' } },
  });
  const lines = [
    'decisions:',
    `  Meera, when her checkout ran out (checkout_recovery journey): ${describeAction(meera)}`,
    `    context: ${JSON.stringify(meera.action?.context ?? {})}`,
    `  a first-time visitor from Bangalore: home_banner → ${describePlacement(bangaloreVisitor, 'home_banner')}`,
    `  Kavya, a repeat customer: offer_block → ${describePlacement(repeatCustomer, 'offer_block')}`,
    `  Arjun, sent a WhatsApp message an hour ago: ${describeAction(capped)}`,
  ];
  return { meera, bangaloreVisitor, repeatCustomer, capped, lines };
}

/** The decision a trigger recorded for a person, as `POST /v1/decide` would have answered it. */
async function triggeredDecision(connection: Connection, ref: string): Promise<DemoDecision> {
  const started = Date.now();
  for (;;) {
    const timeline = (await callApi({
      connection,
      method: 'GET',
      path: `/v1/profiles/${encodeURIComponent(ref)}/events?limit=100`,
      auth: 'admin',
    })) as { events: { event?: string; properties?: Record<string, unknown> }[] };
    const found = timeline.events.find(
      (event) => event.event === 'Decision Made' && typeof event.properties?.['trigger'] === 'string',
    );
    if (found?.properties !== undefined) {
      const p = found.properties;
      const text = (key: string): string | null => {
        const value = p[key];
        return typeof value === 'string' ? value : null;
      };
      const content = p['content'];
      return {
        placements: {},
        action: {
          outcome: text('outcome') ?? 'no_action',
          action: text('action'),
          channel: text('channel'),
          timing: text('timing'),
          send_at: text('send_at'),
          content: isJsonObject(content) ? content : null,
          reason: text('reason'),
          context: {
            intent: p['intent'] ?? null,
            risk: p['risk'] ?? null,
            preferred_channel: p['preferred_channel'] ?? null,
            recommended_action: p['recommended_action'] ?? null,
            timing: p['timing'] ?? null,
          },
        },
      };
    }
    if (Date.now() - started > TRIGGER_WAIT_MS) return { placements: {} };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function describeAction(decision: DemoDecision): string {
  const action = decision.action;
  if (action === undefined) return 'no decision';
  if (action.outcome !== 'action')
    return `${action.outcome.replace('_', ' ')} (${action.reason ?? 'no reason'})`;
  const when = action.timing === 'delayed' ? `at ${action.send_at}` : 'now';
  const text = action.content?.['text'] ?? action.content?.['subject'];
  return `${action.action} on ${action.channel}, ${when}${typeof text === 'string' ? `: "${text}"` : ''}`;
}

function describePlacement(decision: DemoDecision, key: string): string {
  const placement = decision.placements[key];
  const title = placement?.content?.['title'];
  return `${placement?.variant ?? 'nothing'}${typeof title === 'string' ? ` ("${title}")` : ''}`;
}
