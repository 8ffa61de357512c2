import { type Connection, callApi } from './connection.ts';
import { DEMO_CAPPED_USER, DEMO_REPEAT_USER } from './demo-story.ts';

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

/**
 * Asks the running Tailor what each person of the demo should get, through the same
 * `POST /v1/decide` a website calls with its write key: Meera's next best action after her
 * abandoned checkout, the home banner for a first-time visitor from Bangalore, the offer block
 * for Kavya (a repeat customer), and Arjun's action while the WhatsApp cap holds.
 */
export async function demoDecisions(connection: Connection): Promise<DemoDecisions> {
  const decide = async (body: Record<string, unknown>): Promise<DemoDecision> =>
    (await callApi({
      connection,
      method: 'POST',
      path: '/v1/decide',
      auth: 'write',
      body: JSON.stringify(body),
    })) as DemoDecision;
  const meera = await decide({
    userId: 'USR_4096',
    actions: true,
    placements: ['home_banner'],
    context: { location: { city: 'Mumbai', country: 'IN' }, timezone: 'Asia/Kolkata' },
  });
  const bangaloreVisitor = await decide({
    anonymousId: `demo-visitor-${Date.now().toString(36)}`,
    placements: ['home_banner'],
    context: { location: { city: 'Bangalore', country: 'IN' } },
  });
  const repeatCustomer = await decide({ userId: DEMO_REPEAT_USER, placements: ['offer_block'] });
  const capped = await decide({
    userId: DEMO_CAPPED_USER,
    actions: true,
    context: { timezone: 'Asia/Kolkata' },
  });
  const lines = [
    'decisions (POST /v1/decide):',
    `  Meera: ${describeAction(meera)}`,
    `    context: ${JSON.stringify(meera.action?.context ?? {})}`,
    `  a first-time visitor from Bangalore: home_banner → ${describePlacement(bangaloreVisitor, 'home_banner')}`,
    `  Kavya, a repeat customer: offer_block → ${describePlacement(repeatCustomer, 'offer_block')}`,
    `  Arjun, sent a WhatsApp message an hour ago: ${describeAction(capped)}`,
  ];
  return { meera, bangaloreVisitor, repeatCustomer, capped, lines };
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
