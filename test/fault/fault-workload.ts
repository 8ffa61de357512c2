import { DEMO_NETWORK_POLICY } from '../../src/app/settings.ts';
import type { FakeClock } from '../../src/clock.ts';
import type { Engine } from '../../src/engine/engine.ts';
import type { TailorEvent } from '../../src/ingest/event.ts';
import type { ProfileState } from '../../src/profile/profile.ts';
import type { Store } from '../../src/store/store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import type { WorkspaceDefinition } from '../../src/workspace/workspace.ts';
import { activationWorkspaceYaml } from '../support/activation-tailor.ts';

/** The store methods the engine calls while it writes and recovers: where faults are injected. */
export const ENGINE_STORE_METHODS = [
  'appendEvents',
  'commitView',
  'loadProfiles',
  'findProfileIds',
  'resolveProfileId',
  'readEvents',
  'readEventsById',
  'enqueueSends',
  'dueProfiles',
  'scanProfiles',
  'viewCheckpoint',
  'lastSeq',
  'listWorkspaces',
  'appendExposures',
] as const;

/** People in the workload. */
export const PEOPLE = 8;
export const T0 = Date.parse('2026-03-02T05:00:00Z');

/**
 * The demo workspace with a WhatsApp channel (nothing dispatches in these tests: sends stay in
 * the outbox): detectors set timers, the checkout journey decides and queues sends, segments
 * and scores change with every event — every part of the writer the faults can hit.
 */
export function faultWorkspace(): WorkspaceDefinition {
  return parseWorkspaceYaml({
    text: activationWorkspaceYaml({
      channels: {
        whatsapp: {
          base_url: 'http://127.0.0.1:9/v21.0',
          phone_number_id: '100200300',
          access_token: 'token',
          app_secret: 'secret',
          verify_token: 'verify',
        },
      },
    }),
    network: DEMO_NETWORK_POLICY,
  });
}

const base = (at: number) => ({
  timestamp: at,
  receivedAt: at,
  properties: {},
  traits: {},
  integrations: {},
});

/** Round one for person `p`: identified with consent, viewed pricing, started a checkout. */
function roundOne(p: number, at: number): TailorEvent[] {
  const consent = { consent: { categoryPreferences: { email: true, whatsapp: true } } };
  return [
    {
      ...base(at),
      context: consent,
      messageId: `r1-${p}-identify`,
      type: 'identify',
      anonymousId: `anon-${p}`,
      userId: `user-${p}`,
      traits: {
        email: `person${p}@example.com`,
        phone: `+91 98450 ${String(10_000 + p)}`,
        first_name: `P${p}`,
      },
    },
    {
      ...base(at + 1),
      context: {},
      messageId: `r1-${p}-pricing`,
      type: 'page',
      anonymousId: `anon-${p}`,
      name: 'Pricing',
    },
    {
      ...base(at + 2),
      context: {},
      messageId: `r1-${p}-checkout`,
      type: 'track',
      userId: `user-${p}`,
      event: 'Checkout Started',
      properties: { plan: 'pro', value: 1_000 + p },
    },
  ];
}

/** Round two: even people complete their order (twice for every fourth), odd ones look again. */
function roundTwo(p: number, at: number): TailorEvent[] {
  if (p % 2 === 1)
    return [
      {
        ...base(at),
        context: {},
        messageId: `r2-${p}-viewed`,
        type: 'track',
        anonymousId: `anon-${p}`,
        event: 'Product Viewed',
        properties: { product_id: `p-${p}` },
      },
    ];
  const orders = p % 4 === 0 ? 2 : 1;
  return Array.from({ length: orders }, (_, i) => ({
    ...base(at + i),
    context: {},
    messageId: `r2-${p}-order-${i}`,
    type: 'track' as const,
    userId: `user-${p}`,
    event: 'Order Completed',
    properties: { revenue: 500 + p },
  }));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `task` until it succeeds, as a client honouring 503 would: after a refusal it waits for
 * the writer to recover, then retries the same thing (the same events, the same messageIds).
 */
export async function retrying<T>(engine: Engine, task: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await task();
    } catch (error) {
      if (attempt >= 50) throw error;
      await engine.recovered();
      await sleep(2);
    }
  }
}

/**
 * The workload: people arrive in concurrent requests (so group commits form), half of them buy,
 * the clock passes the detectors' half hour and the journey's day, timers fire, decisions queue
 * sends. Every step is retried until acknowledged.
 */
export async function runWorkload(engine: Engine, clock: FakeClock): Promise<void> {
  const people = Array.from({ length: PEOPLE }, (_, p) => p);
  const ingest = (events: TailorEvent[]) => retrying(engine, () => engine.ingest('demo', events));
  await Promise.all(people.map((p) => ingest(roundOne(p, T0 + p * 10))));
  // What a decide showed each of them: rows for the exposure log, written in the background.
  engine.recordExposures(
    people.map((p) => ({
      workspaceId: 'demo',
      profileId: null,
      userId: `user-${p}`,
      anonymousId: null,
      placement: 'home_banner',
      variant: 'bangalore',
      messageId: `shown-${p}`,
      at: T0 + p,
    })),
  );
  await retrying(engine, () => engine.commit());
  clock.advance(10 * 60_000);
  await Promise.all(people.map((p) => ingest(roundTwo(p, clock.now()))));
  for (const minutes of [31, 60 * 24 + 5]) {
    clock.advance(minutes * 60_000);
    await retrying(engine, async () => {
      await engine.recovered();
      await engine.fireDueTimers();
      // A fault while the timer was applied stops the writer: the replay brings the view up to
      // the log, and firing again (at the same time) finds whatever is still due.
      if (engine.recovering) throw new Error('recovering');
    });
  }
  await retrying(engine, () => engine.commit());
}

/** What the store holds of every person of the workload: profiles, merges and timelines. */
export async function storedPeople(store: Store): Promise<{ profiles: ProfileState[]; events: string[][] }> {
  const ids = await store.findProfileIds(
    'demo',
    Array.from({ length: PEOPLE }, (_, p) => `user_id:user-${p}`),
  );
  const unique = [...new Set(ids.values())].sort();
  const profiles = (await store.loadProfiles('demo', unique)).sort((a, b) => a.id.localeCompare(b.id));
  const events: string[][] = [];
  for (const profileId of unique) {
    const page = await store.timeline({ workspaceId: 'demo', profileId, limit: 1_000 });
    events.push(page.events.map((event) => event.messageId).sort());
  }
  return { profiles, events };
}

/** The exposure log's rows of the workload's placement, by decision (read through the engine, which writes what it holds first). */
export async function exposures(engine: Engine): Promise<string[]> {
  const page = await retrying(engine, () =>
    engine.reads.exposuresByPlacement({ workspaceId: 'demo', placement: 'home_banner', limit: 1_000 }),
  );
  return page.exposures.map((row) => `${row.messageId} ${row.userId} ${row.variant}`).sort();
}

/** The outbox, by decision: each send's trigger, channel and profile, sorted. */
export async function outbox(store: Store): Promise<string[]> {
  const sends = await store.listSends({ workspaceId: 'demo', limit: 1_000 });
  return sends.map((send) => `${send.profileId} ${send.channel} ${send.trigger ?? ''} ${send.id}`).sort();
}
