import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeClock, fakeClock } from '../../src/clock.ts';
import { hashKey } from '../../src/engine/api-keys.ts';
import { Engine } from '../../src/engine/engine.ts';
import { buildServer } from '../../src/http/server.ts';
import type { TailorEvent } from '../../src/ingest/event.ts';
import type { ProfileState } from '../../src/profile/profile.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import type { WorkspaceDefinition } from '../../src/workspace/workspace.ts';
import { bearer, tempDir } from '../support/test-tailor.ts';

const NOW = Date.parse('2026-03-10T06:00:00Z');
const MINUTE = 60_000;
const ADMIN_KEY = 'ak_trial';

/** A workspace with one journey: wait an hour, then tag the person with `label`. */
function trialWorkspace(label: string | undefined, extra = ''): WorkspaceDefinition {
  const journeys =
    label === undefined
      ? ''
      : `
journeys:
  - key: trial_nudge
    trigger: { event: Trial Started }
    steps:
      - { key: pause, wait: 1h }
      - { key: tag, update: { traits: { nudged: ${label} } } }
`;
  return parseWorkspaceYaml({ text: `workspace: { id: trial, name: Trial }\n${extra}${journeys}` });
}

function trialStarted(userId: string, at: number): TailorEvent {
  return {
    type: 'track',
    event: 'Trial Started',
    messageId: `trial-${userId}-${at}`,
    userId,
    timestamp: at,
    receivedAt: at,
    properties: {},
    traits: {},
    context: {},
    integrations: {},
  };
}

let dir: string;
let clock: FakeClock;
let engine: Engine;

async function open(): Promise<Engine> {
  const store = new SqliteStore({ path: join(dir, 'tailor.db') });
  return Engine.open({
    store,
    clock: clock.now,
    checkpointIntervalMs: 3_600_000,
    timerIntervalMs: 3_600_000,
  });
}

/** Each person's journey state and `nudged` trait, by user id. */
async function people(ids: readonly string[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const id of ids) {
    const profile: ProfileState | undefined = await engine.reads.findProfile('trial', `user_id:${id}`);
    out[id] = { journeys: profile?.journeys, nudged: profile?.traits['nudged']?.value ?? null };
  }
  return out;
}

beforeEach(async () => {
  dir = tempDir('tailor-journey-records-');
  clock = fakeClock(NOW);
  engine = await open();
});

afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('journeys in force as the log puts them', () => {
  it('keeps a run in flight on the version it started on; a restart and a rebuild agree', async () => {
    await engine.applyWorkspace(trialWorkspace('"v1"'));
    await engine.ingest('trial', [trialStarted('early', NOW)]);
    clock.advance(10 * MINUTE);
    await engine.applyWorkspace(trialWorkspace('"v2"'));
    await engine.ingest('trial', [trialStarted('late', clock.now())]);
    clock.advance(61 * MINUTE);
    await engine.fireDueTimers();

    const live = await people(['early', 'late']);
    expect(live).toMatchObject({ early: { nudged: 'v1' }, late: { nudged: 'v2' } });

    await engine.close();
    engine = await open();
    expect(await people(['early', 'late'])).toEqual(live);

    // A segment added: the workspace is rebuilt from the log, and journeys replay as they were.
    await engine.applyWorkspace(
      trialWorkspace(
        '"v2"',
        'segments:\n  - { key: everyone, when: { traits.nudged: { $exists: true } } }\n',
      ),
    );
    expect(await people(['early', 'late'])).toEqual(live);
  });

  it('starts no run of a journey added later for events that came before it', async () => {
    await engine.applyWorkspace(trialWorkspace(undefined));
    await engine.ingest('trial', [trialStarted('before', NOW)]);
    clock.advance(MINUTE);
    await engine.applyWorkspace(trialWorkspace('"v1"'));
    await engine.ingest('trial', [trialStarted('after', clock.now())]);
    clock.advance(61 * MINUTE);
    await engine.fireDueTimers();
    expect(await people(['before', 'after'])).toMatchObject({
      before: { journeys: undefined, nudged: null },
      after: { nudged: 'v1' },
    });
  });
});

describe('a journey started by a decision', () => {
  it('enters a run when a decision chooses its action for the person, and not for another action', async () => {
    await engine.applyWorkspace(
      parseWorkspaceYaml({
        text: `workspace: { id: trial, name: Trial }
actions:
  - { key: nudge, channels: [email], content: { email: { text: Hi } }, value: 1 }
  - { key: other, channels: [email], content: { email: { text: Yo } }, value: 1 }
journeys:
  - key: after_nudge
    trigger: { decision: nudge }
    steps: [{ key: pause, wait: 1h }]
`,
      }),
    );
    const decided = (userId: string, action: string): TailorEvent => ({
      ...trialStarted(userId, NOW),
      event: 'Decision Made',
      messageId: `decision-${userId}`,
      properties: { outcome: 'action', action, channel: 'email' },
    });
    const own: TailorEvent = {
      ...decided('own', 'nudge'),
      properties: {
        outcome: 'action',
        action: 'nudge',
        channel: 'email',
        trigger: 'journey:after_nudge:pause',
      },
    };
    await engine.ingest('trial', [decided('nudged', 'nudge'), decided('other', 'other'), own]);
    const nudged = await engine.reads.findProfile('trial', 'user_id:nudged');
    const other = await engine.reads.findProfile('trial', 'user_id:other');
    expect(nudged?.journeys?.active['after_nudge']).toMatchObject({ step: 0, until: NOW + 60 * MINUTE });
    expect(other?.journeys?.active ?? {}).toEqual({});
    // A decision the journey asked for itself does not start it again.
    expect((await engine.reads.findProfile('trial', 'user_id:own'))?.journeys?.active ?? {}).toEqual({});
  });
});

describe('a message written in a journey step', () => {
  it('is sent by its step, rendered for the person, and never chosen by arbitration', async () => {
    await engine.applyWorkspace(
      parseWorkspaceYaml({
        text: `workspace: { id: trial, name: Trial }
journeys:
  - key: welcome
    trigger: { event: Trial Started }
    steps:
      - { key: hello, send: { channel: in_app, content: { title: "Welcome, {{ profile.traits.first_name }}" } } }
`,
      }),
    );
    await engine.keys.addKey({ workspaceId: 'trial', kind: 'admin', hash: hashKey(ADMIN_KEY) });
    await engine.ingest('trial', [
      { ...trialStarted('ada', NOW), type: 'identify', traits: { first_name: 'Ada' }, messageId: 'ada-id' },
      trialStarted('ada', NOW + 1),
    ]);
    let inbox: ProfileState['inbox'];
    for (let tries = 0; tries < 200 && inbox === undefined; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      inbox = (await engine.reads.findProfile('trial', 'user_id:ada'))?.inbox;
    }
    expect(inbox).toMatchObject({ action: 'welcome__hello', content: { title: 'Welcome, Ada' } });

    const app = await buildServer({ engine });
    try {
      const reply = await app.inject({
        method: 'POST',
        url: '/v1/profiles/user_id:ada/decide',
        headers: { authorization: bearer(ADMIN_KEY) },
        payload: { actions: true, record: false },
      });
      expect(reply.statusCode).toBe(200);
      expect(reply.body).not.toContain('welcome__hello');
    } finally {
      await app.close();
    }
  });
});

describe('pausing a journey', () => {
  async function admin(method: 'GET' | 'POST', url: string) {
    const app = await buildServer({ engine });
    try {
      const reply = await app.inject({ method, url, headers: { authorization: bearer(ADMIN_KEY) } });
      return { status: reply.statusCode, body: reply.json() as Record<string, unknown> };
    } finally {
      await app.close();
    }
  }

  beforeEach(async () => {
    await engine.applyWorkspace(trialWorkspace('true'));
    await engine.keys.addKey({ workspaceId: 'trial', kind: 'admin', hash: hashKey(ADMIN_KEY) });
  });

  it('holds runs before their action and takes no new ones; the resume lets them go on', async () => {
    await engine.ingest('trial', [trialStarted('waiting', NOW)]);
    clock.advance(MINUTE);
    expect(await admin('POST', '/v1/journeys/trial_nudge/pause')).toEqual({
      status: 200,
      body: { key: 'trial_nudge', paused: true, changed: true },
    });
    expect((await admin('POST', '/v1/journeys/trial_nudge/pause')).body['changed']).toBe(false);

    await engine.ingest('trial', [trialStarted('during', clock.now())]);
    clock.advance(2 * 60 * MINUTE);
    await engine.fireDueTimers();
    expect(await people(['waiting', 'during'])).toMatchObject({
      waiting: {
        journeys: { active: { trial_nudge: { step: 1, held: true, path: ['pause'] } } },
        nudged: null,
      },
      during: { journeys: { active: {}, history: {} }, nudged: null },
    });
    const counts = (await admin('GET', '/v1/journeys')).body['journeys'] as Record<string, unknown>[];
    expect(counts[0]).toMatchObject({
      paused: true,
      active: 1,
      steps: [
        { key: 'pause', entered: 1, waiting: 0 },
        { key: 'tag', entered: 1, waiting: 1 },
      ],
    });

    // A restart keeps the pause: the record is in the log.
    await engine.close();
    engine = await open();
    expect(engine.journeyPaused('trial', 'trial_nudge')).toBe(true);

    const resumedAt = clock.now();
    expect((await admin('POST', '/v1/journeys/trial_nudge/resume')).body).toEqual({
      key: 'trial_nudge',
      paused: false,
      changed: true,
    });
    const after = await engine.reads.findProfile('trial', 'user_id:waiting');
    expect(after?.traits['nudged']).toEqual({ value: true, at: resumedAt });
    expect(after?.journeys?.active).toEqual({});
    expect(after?.journeys?.history['trial_nudge']?.lastOutcome).toBe('completed');

    const settled = await people(['waiting', 'during']);
    await engine.close();
    engine = await open();
    expect(await people(['waiting', 'during'])).toEqual(settled);
    await engine.applyWorkspace(
      trialWorkspace('true', 'segments:\n  - { key: tagged, when: { traits.nudged: true } }\n'),
    );
    expect(await people(['waiting', 'during'])).toEqual(settled);
  });

  it('stays paused through a change of the workspace file and the rebuild it causes', async () => {
    await engine.ingest('trial', [trialStarted('waiting', NOW)]);
    await engine.setJourneyPaused('trial', 'trial_nudge', true);
    clock.advance(2 * 60 * MINUTE);
    await engine.fireDueTimers();
    const held = await people(['waiting']);
    expect(held).toMatchObject({ waiting: { journeys: { active: { trial_nudge: { held: true } } } } });

    // The journey's steps change (a new version) and a segment is added (a rebuild).
    await engine.applyWorkspace(
      trialWorkspace('"v2"', 'segments:\n  - { key: tagged, when: { traits.nudged: { $exists: true } } }\n'),
    );
    expect(engine.journeyPaused('trial', 'trial_nudge')).toBe(true);
    expect(await people(['waiting'])).toEqual(held);

    // Resumed, the held run goes on with the steps it started on.
    await engine.setJourneyPaused('trial', 'trial_nudge', false);
    expect((await engine.reads.findProfile('trial', 'user_id:waiting'))?.traits['nudged']?.value).toBe(true);
  });

  it('answers 404 JOURNEY_NOT_FOUND for a journey the workspace does not have', async () => {
    const reply = await admin('POST', '/v1/journeys/nope/pause');
    expect(reply.status).toBe(404);
    expect(reply.body['code']).toBe('JOURNEY_NOT_FOUND');
  });
});
