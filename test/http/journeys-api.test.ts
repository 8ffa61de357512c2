import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeClock } from '../../src/clock.ts';
import type { TailorEvent } from '../../src/ingest/event.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { openDemoTailor, sendDemoStory } from '../support/demo-tailor.ts';
import { bearer, sendAccepted, type TestTailor, tempDir } from '../support/test-tailor.ts';

const NOW = Date.parse('2026-03-10T06:00:00Z'); // 11:30 in India: no quiet hours
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

let t: TestTailor;
let dir: string;
let clock: ReturnType<typeof fakeClock>;

beforeEach(async () => {
  dir = tempDir('tailor-journeys-');
  clock = fakeClock(NOW);
  t = await openDemoTailor({ path: join(dir, 'tailor.db'), clock });
});

afterEach(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get(
  url: string,
  key = t.adminKey,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const reply = await t.app.inject({ method: 'GET', url, headers: { authorization: bearer(key) } });
  return { status: reply.statusCode, body: reply.json() };
}

const counts = async () => (await get('/v1/journeys')).body['journeys'];
const runs = async () => (await get('/v1/profiles/user_id:USR_4096/journeys')).body;

describe('the journeys admin API', () => {
  it("follows the demo's checkout recovery: entered, waiting a day, then converted by the order", async () => {
    await sendDemoStory(t, NOW);
    await t.engine.fireDueTimers();
    // The counts read the profiles as they stand, changed ones from memory: nothing is committed for them.
    const checkpoint = await t.store.viewCheckpoint();

    const step = (key: string, type: string, entered = 0, waiting = 0) => ({
      key,
      type,
      entered,
      waiting,
      sent: 0,
      ended: {},
    });
    expect(await counts()).toEqual([
      {
        key: 'checkout_recovery',
        name: 'Checkout recovery',
        paused: false,
        entered: 1,
        active: 1,
        ended: {},
        steps: [
          step('remind', 'decide', 1),
          step('pause', 'wait', 1, 1),
          step('still_open', 'branch'),
          step('nudge', 'send'),
          step('done', 'exit'),
        ],
      },
    ]);
    expect(await t.store.viewCheckpoint()).toBe(checkpoint);
    const abandonedAt = new Date(NOW - 20 * MINUTE).toISOString();
    expect(await runs()).toMatchObject({
      active: [
        {
          journey: 'checkout_recovery',
          step: 'pause',
          entered_at: abandonedAt,
          waiting_until: new Date(NOW - 20 * MINUTE + DAY).toISOString(),
          waiting_for: null,
          path: ['remind'],
        },
      ],
      history: [{ journey: 'checkout_recovery', entries: 1, last_outcome: null }],
    });

    clock.advance(MINUTE);
    await sendAccepted(t, '/v1/track', {
      userId: 'USR_4096',
      event: 'Order Completed',
      properties: { revenue: 1 },
    });
    expect(await counts()).toMatchObject([
      {
        entered: 1,
        active: 0,
        ended: { converted: 1 },
        steps: [
          { key: 'remind' },
          { key: 'pause', entered: 1, waiting: 0, ended: { converted: 1 } },
          {},
          {},
          {},
        ],
      },
    ]);
    expect(await runs()).toMatchObject({
      active: [],
      history: [{ journey: 'checkout_recovery', entries: 1, last_outcome: 'converted' }],
    });
  });

  it('a second day without an order nudges again, then the run completes', async () => {
    await sendDemoStory(t, NOW);
    await t.engine.fireDueTimers();
    clock.advance(DAY);
    await t.engine.fireDueTimers();
    expect(await runs()).toMatchObject({
      active: [],
      history: [{ journey: 'checkout_recovery', entries: 1, last_outcome: 'exited' }],
    });
    const timeline = (await get('/v1/profiles/user_id:USR_4096/events?limit=200')).body['events'] as {
      event: string;
      properties: Record<string, unknown>;
    }[];
    const steps = timeline
      .filter((event) => event.event === 'Journey Step')
      .map((event) => event.properties['step'])
      .reverse();
    expect(steps).toEqual(['remind', 'pause', 'still_open', 'nudge', 'done']);
  });

  it('counts the messages each step sent, from the outbox', async () => {
    await sendDemoStory(t, NOW);
    await t.engine.fireDueTimers();
    await t.engine.commit();
    const sends = await t.engine.outbox.listSends({ workspaceId: 'demo', limit: 100 });
    const reminder = sends.find((send) => send.trigger === 'journey:checkout_recovery:remind');
    expect(reminder).toBeDefined();
    const remind = async () =>
      ((await counts()) as { steps: { key: string; sent: number }[] }[])[0]?.steps.find(
        (step) => step.key === 'remind',
      )?.sent;
    expect(await remind()).toBe(0);
    await t.engine.outbox.confirmSend({
      workspaceId: 'demo',
      id: reminder?.id ?? '',
      providerMessageId: 'wamid.1',
      at: NOW,
    });
    expect(await remind()).toBe(1);
  });

  it('needs an admin key, and answers 404 for an unknown person', async () => {
    expect((await get('/v1/journeys', t.writeKey)).status).toBe(401);
    expect((await get('/v1/profiles/user_id:nobody/journeys')).status).toBe(404);
  });
});

describe('a workspace with journeys and nothing else', () => {
  it('fires their waits on the timer, with no segment, stage or detector to keep it awake', async () => {
    const yaml = `
workspace: { id: bare, name: Bare }
journeys:
  - key: trial_nudge
    trigger: { event: Trial Started }
    steps:
      - { key: pause, wait: 1h }
      - { key: tag, update: { traits: { nudged: true } } }
`;
    await t.engine.applyWorkspace(parseWorkspaceYaml({ text: yaml }));
    await t.engine.ingest('bare', [trialStarted(NOW)]);
    clock.advance(61 * MINUTE);
    await t.engine.fireDueTimers();
    const profile = await t.engine.reads.findProfile('bare', 'user_id:trial-1');
    expect(profile?.traits['nudged']?.value).toBe(true);
    expect(profile?.journeys?.history['trial_nudge']?.lastOutcome).toBe('completed');
  });
});

function trialStarted(at: number): TailorEvent {
  return {
    type: 'track',
    event: 'Trial Started',
    messageId: `trial-${at}`,
    userId: 'trial-1',
    timestamp: at,
    receivedAt: at,
    properties: {},
    traits: {},
    context: {},
    integrations: {},
  };
}
