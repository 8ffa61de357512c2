import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { variantLearner } from '../../src/decide/learn/learn-model.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { eventually } from '../support/demo-tailor.ts';
import { learningActions, learningPlacements } from '../support/learning-sections.ts';
import {
  bearer,
  openTestTailor,
  sendAccepted,
  type TestTailor,
  tempDir,
  workspaceYaml,
} from '../support/test-tailor.ts';

const LEARNING = `${learningActions('1d')}learning: { prior_strength: 2, explore: false }
`;

const PLACEMENTS = `${learningPlacements('1d')}learning: { explore: false }
holdout: { percent: 50, salt: s }
`;

type Json = Record<string, unknown>;

let t: TestTailor | undefined;
let dir: string | undefined;

afterEach(async () => {
  await t?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  t = undefined;
  dir = undefined;
});

async function open(path: string, sections = LEARNING): Promise<TestTailor> {
  const tailor = await openTestTailor({ path });
  await tailor.engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml('shop') + sections }));
  return tailor;
}

async function decide(tailor: TestTailor, userId: string): Promise<Json> {
  const reply = await tailor.app.inject({
    method: 'POST',
    url: `/v1/profiles/user_id:${userId}/decide`,
    headers: { 'content-type': 'application/json', authorization: bearer(tailor.adminKey) },
    payload: '{}',
  });
  expect(reply.statusCode).toBe(200);
  return reply.json<Json>();
}

async function decidePlacements(tailor: TestTailor, userId: string): Promise<Record<string, Json>> {
  const reply = await tailor.app.inject({
    method: 'POST',
    url: `/v1/profiles/user_id:${userId}/decide`,
    headers: { 'content-type': 'application/json', authorization: bearer(tailor.adminKey) },
    payload: JSON.stringify({ placements: ['hero', 'promo'], actions: false }),
  });
  expect(reply.statusCode).toBe(200);
  return reply.json<{ placements: Record<string, Json> }>().placements;
}

/** Outcome counts as the holdout report names them. */
function counted(counts: { trials: number; successes: number }): Json {
  return { decisions: counts.trials, conversions: counts.successes };
}

async function timeline(tailor: TestTailor, userId: string): Promise<Json[]> {
  const reply = await tailor.app.inject({
    method: 'GET',
    url: `/v1/profiles/user_id:${userId}/events`,
    headers: { authorization: bearer(tailor.adminKey) },
  });
  return reply.json<{ events: Json[] }>().events;
}

describe('learning through the engine', () => {
  it('credits goals to decisions, shows them on the timeline, learns, and counts the same after a restart', async () => {
    dir = tempDir('tailor-learn-');
    const path = join(dir, 'tailor.db');
    t = await open(path);
    const tailor = t;
    for (const n of [1, 2, 3]) {
      await sendAccepted(tailor, '/v1/identify', { userId: `u${n}`, traits: { plan: 'pro' } });
    }
    const first = await decide(tailor, 'u1');
    const action = first['action'] as Json;
    expect(action['learning']).toMatchObject({ bin: 'pro', evidence: 0, explored: false });
    const trace = action['trace'] as Json;
    expect(trace['candidates']).toEqual(
      expect.arrayContaining([expect.objectContaining({ learned: expect.objectContaining({ bin: 'pro' }) })]),
    );
    const chosen = action['action'];
    await decide(tailor, 'u2');
    tailor.clock.advance(60_000);
    await sendAccepted(tailor, '/v1/track', {
      userId: 'u1',
      event: 'Order Completed',
      properties: { revenue: 42 },
    });
    const goal = await eventually(async () =>
      (await timeline(tailor, 'u1')).find((event) => event['event'] === 'Goal Reached'),
    );
    expect(goal['properties']).toMatchObject({ action: chosen, group: 'action', bin: 'pro', value: 42 });
    const state = () => tailor.engine.learning.state('shop');
    await eventually(async () => (state().groups.action.conversions === 1 ? true : undefined));
    expect(state().groups.action).toEqual({ decisions: 2, conversions: 1, value: 42 });
    const counts = (key: string) => state().model.counts(key, 'pro');
    const before = { discount: counts('discount'), free_shipping: counts('free_shipping') };
    expect(before.discount.successes + before.free_shipping.successes).toBe(1);

    // A goal event outside every window, or from someone never decided for, credits nothing.
    tailor.clock.advance(2 * 86_400_000);
    await sendAccepted(tailor, '/v1/track', { userId: 'u2', event: 'Order Completed' });
    await sendAccepted(tailor, '/v1/track', { userId: 'u3', event: 'Order Completed' });
    await tailor.engine.commit();
    expect(state().groups.action.conversions).toBe(1);

    await tailor.close();
    t = await open(path);
    const reopened = t.engine.learning.state('shop');
    expect(reopened.groups.action).toEqual({ decisions: 2, conversions: 1, value: 42 });
    expect(reopened.model.counts('discount', 'pro')).toEqual(before.discount);
    expect(reopened.model.counts('free_shipping', 'pro')).toEqual(before.free_shipping);
  });

  it('reports the holdout against next best action with the lift and its interval', async () => {
    dir = tempDir('tailor-learn-');
    t = await openTestTailor({ path: join(dir, 'tailor.db') });
    const tailor = t;
    const get = (key: string, auth = bearer(tailor.adminKey)) =>
      tailor.app.inject({ method: 'GET', url: `/v1/experiments/${key}`, headers: { authorization: auth } });
    expect((await get('holdout')).json<Json>()['code']).toBe('EXPERIMENT_NOT_FOUND');
    await tailor.engine.applyWorkspace(
      parseWorkspaceYaml({ text: `${workspaceYaml('shop')}${LEARNING}holdout: { percent: 50, salt: s }\n` }),
    );
    const people = Array.from({ length: 16 }, (_, i) => `u${i}`);
    for (const userId of people)
      await sendAccepted(tailor, '/v1/identify', { userId, traits: { plan: 'pro' } });
    const outcomes: string[] = [];
    for (const userId of people)
      outcomes.push(String(((await decide(tailor, userId))['action'] as Json)['outcome']));
    tailor.clock.advance(60_000);
    // Everyone held out orders; of the others, only u0's order follows a decision that has one.
    for (const [i, userId] of people.entries())
      if (outcomes[i] === 'held_out' || userId === 'u0')
        await sendAccepted(tailor, '/v1/track', { userId, event: 'Order Completed' });
    const heldOut = outcomes.filter((outcome) => outcome === 'held_out').length;
    expect(heldOut).toBeGreaterThan(0);
    expect(heldOut).toBeLessThan(people.length);
    const credited = heldOut + (outcomes[0] === 'action' ? 1 : 0);
    const report = await eventually(async () => {
      const body = (await get('holdout')).json<{ arms: Json[] }>();
      const total = body.arms.reduce((sum, arm) => sum + Number(arm['conversions']), 0);
      return total === credited ? body : undefined;
    });
    const [control, treated] = report.arms;
    expect(control).toMatchObject({
      arm: 'held_out',
      control: true,
      exposures: heldOut,
      conversions: heldOut,
      rate: 1,
    });
    expect(treated).toMatchObject({ arm: 'next_best_action', exposures: people.length - heldOut });
    const lift = treated?.['lift'] as Json;
    expect(lift['difference']).toBeLessThan(0);
    expect((lift['differenceInterval'] as number[])[1]).toBeLessThan(0);
    expect((report as Json)['method']).toContain('Newcombe');
    expect((await get('other')).statusCode).toBe(404);
    expect((await get('holdout', 'Bearer wrong')).statusCode).toBe(401);
  });

  it('refuses a Goal Reached from a write key: only Tailor credits goals', async () => {
    t = await openTestTailor();
    const reply = await t.app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${t.writeKey}:`).toString('base64')}`,
      },
      payload: JSON.stringify({ userId: 'u1', event: 'Goal Reached', properties: { decision_id: 'x' } }),
    });
    expect(reply.statusCode).toBe(400);
    expect(reply.json<Json>()['code']).toBe('RESERVED_EVENT');
  });
});

describe('placements that learn, through the engine and the decide API', () => {
  it('records the variants shown, credits goals to them, learns, reports the placement experiment and counts the same after a restart', async () => {
    dir = tempDir('tailor-placement-learn-');
    const path = join(dir, 'tailor.db');
    t = await open(path, PLACEMENTS);
    const tailor = t;
    const people = Array.from({ length: 12 }, (_, i) => `u${i}`);
    for (const userId of people)
      await sendAccepted(tailor, '/v1/identify', { userId, traits: { plan: 'pro' } });

    const first = await decidePlacements(tailor, 'u0');
    // Nothing learned yet: spring (prior 0.5) beats summer (0.4); the trace shows both.
    expect(first['hero']).toMatchObject({
      variant: 'spring',
      learning: { bin: 'pro', evidence: 0, explored: false },
      trace: [
        { variant: 'spring', holds: true, learned: { bin: 'pro', evidence: 0 } },
        { variant: 'summer', holds: true, learned: { bin: 'pro', evidence: 0 } },
      ],
    });
    const armOf = (placements: Record<string, Json>) =>
      String((placements['promo']?.['experiments'] as Json | undefined)?.['promo_test']);
    const arms = [armOf(first)];
    for (const userId of people.slice(1)) {
      const placements = await decidePlacements(tailor, userId);
      const arm = armOf(placements);
      arms.push(arm);
      expect(placements['promo']?.['variant']).toBe(arm === 'shipping' ? 'free_shipping' : 'default');
    }
    const inArm = (arm: string) => arms.filter((entry) => entry === arm).length;
    expect(inArm('control')).toBeGreaterThan(0);
    expect(inArm('shipping')).toBeGreaterThan(0);
    const model = () => tailor.engine.learning.state('shop').model;
    const hero = (variant: string) => model().counts(variantLearner('hero', variant), 'pro');
    await eventually(async () =>
      hero('spring').trials + hero('summer').trials === people.length ? true : undefined,
    );

    tailor.clock.advance(60_000);
    // u0 and u1 order: each goal is credited to the hero variant they saw and to their promo arm.
    for (const userId of ['u0', 'u1'])
      await sendAccepted(tailor, '/v1/track', {
        userId,
        event: 'Order Completed',
        properties: { revenue: 30 },
      });
    const goals = await eventually(async () => {
      const found = (await timeline(tailor, 'u0')).filter((event) => event['event'] === 'Goal Reached');
      return found.length === 2 ? found : undefined;
    });
    expect(goals.map((event) => event['properties'])).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ placement: 'hero', variant: 'spring', bin: 'pro', value: 30 }),
        expect.objectContaining({ experiment: 'promo_test', arm: arms[0] }),
      ]),
    );
    await eventually(async () =>
      hero('spring').successes + hero('summer').successes === 2 ? true : undefined,
    );
    const before = { spring: hero('spring'), summer: hero('summer') };

    const reply = await tailor.app.inject({
      method: 'GET',
      url: '/v1/experiments/promo_test',
      headers: { authorization: bearer(tailor.adminKey) },
    });
    const report = reply.json<{ description: string; arms: Json[] }>();
    expect(report.description).toContain('variants of promo');
    const converted = (arm: string) => arms.slice(0, 2).filter((entry) => entry === arm).length;
    expect(report.arms).toEqual([
      expect.objectContaining({
        arm: 'control',
        exposures: inArm('control'),
        conversions: converted('control'),
      }),
      expect.objectContaining({
        arm: 'shipping',
        exposures: inArm('shipping'),
        conversions: converted('shipping'),
        lift: expect.objectContaining({ rate: converted('shipping') / inArm('shipping') }),
      }),
    ]);

    // Placements are not held out; the holdout report lists what each variant learned.
    const holdout = await tailor.app.inject({
      method: 'GET',
      url: '/v1/experiments/holdout',
      headers: { authorization: bearer(tailor.adminKey) },
    });
    const learned = holdout.json<{ actions: { action: string; decisions: number; conversions: number }[] }>();
    expect(learned.actions).toEqual([
      expect.objectContaining({ action: 'hero/spring', ...counted(before.spring) }),
      expect.objectContaining({ action: 'hero/summer', ...counted(before.summer) }),
    ]);

    await tailor.close();
    t = await open(path, PLACEMENTS);
    const reopened = t.engine.learning.state('shop');
    expect(reopened.model.counts(variantLearner('hero', 'spring'), 'pro')).toEqual(before.spring);
    expect(reopened.model.counts(variantLearner('hero', 'summer'), 'pro')).toEqual(before.summer);
    expect(reopened.armCounts('promo_test', 'shipping').decisions).toBe(inArm('shipping'));
  });

  it('chooses for a visitor by the write key too, recording the choice only for a person Tailor knows', async () => {
    dir = tempDir('tailor-placement-learn-');
    t = await open(join(dir, 'tailor.db'), PLACEMENTS);
    const tailor = t;
    await sendAccepted(tailor, '/v1/identify', { anonymousId: 'a1', traits: { plan: 'free' } });
    const post = (anonymousId: string) =>
      tailor.app.inject({
        method: 'POST',
        url: '/v1/decide',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${tailor.writeKey}:`).toString('base64')}`,
        },
        payload: JSON.stringify({ anonymousId, placements: ['hero'] }),
      });
    const known = (await post('a1')).json<{ profile_id: string | null; placements: Record<string, Json> }>();
    expect(known.profile_id).not.toBeNull();
    expect(known.placements['hero']).toMatchObject({ variant: 'spring', learning: { bin: 'free' } });
    expect(known.placements['hero']?.['trace']).toBeUndefined();
    const stranger = (await post('nobody')).json<{
      profile_id: string | null;
      placements: Record<string, Json>;
    }>();
    expect(stranger.profile_id).toBeNull();
    expect(stranger.placements['hero']).toMatchObject({ variant: 'spring', learning: { bin: '-' } });
    const model = tailor.engine.learning.state('shop').model;
    await eventually(async () =>
      model.counts(variantLearner('hero', 'spring'), 'free').trials === 1 ? true : undefined,
    );
    await tailor.engine.commit();
    expect(model.counts(variantLearner('hero', 'spring'))).toEqual({ trials: 1, successes: 0 });
  });
});
