import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compileDecisions, validateDecisions } from '../../src/decide/compile-decisions.ts';
import { decideAction } from '../../src/decide/decide-action.ts';
import type { ExperimentDef } from '../../src/decide/decision-def.ts';
import { experimentArm } from '../../src/decide/learn/experiment-arms.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { eventually } from '../support/demo-tailor.ts';
import {
  bearer,
  openTestTailor,
  sendAccepted,
  type TestTailor,
  tempDir,
  workspaceYaml,
} from '../support/test-tailor.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-10T06:00:00Z');

const OFFER_TEST: ExperimentDef = {
  key: 'offer_test',
  actions: ['a', 'b'],
  arms: [
    { key: 'control', percent: 34 },
    { key: 'only_a', percent: 33, action: 'a' },
    { key: 'only_b', percent: 33, action: 'b' },
  ],
  goal: { event: 'Order Completed', withinMs: DAY },
  salt: 's',
};

function decisions(experiments: ExperimentDef[]) {
  return {
    placements: [],
    actions: ['a', 'b', 'c'].map((key, index) => ({
      key,
      channels: ['in_app'],
      content: { in_app: { title: key } },
      value: 10 - index,
      weight: 1,
      propensity: 0.5,
      contextWeights: [],
    })),
    contactPolicy: { caps: [] },
    triggers: [],
    experiments,
  };
}

describe('experiment arms', () => {
  const compiled = compileDecisions(decisions([OFFER_TEST]));
  const experiment = compiled.experiments[0];
  if (experiment === undefined) throw new Error('no experiment');

  it('assigns each person one arm for good, in about the arms’ shares', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 6000; i += 1) {
      const arm = experimentArm(experiment, `p${i}`);
      expect(experimentArm(experiment, `p${i}`)).toBe(arm);
      counts.set(arm?.key ?? 'none', (counts.get(arm?.key ?? 'none') ?? 0) + 1);
    }
    expect(counts.get('none')).toBeUndefined();
    expect((counts.get('control') ?? 0) / 6000).toBeCloseTo(0.34, 1);
    expect((counts.get('only_a') ?? 0) / 6000).toBeCloseTo(0.33, 1);
    expect(experimentArm(experiment, '')).toBeUndefined();
  });

  it('gives an arm only its action of the set, a control none of it, and records the arm', () => {
    const seen = new Map<string, Set<string>>();
    for (let i = 0; i < 300; i += 1) {
      const decided = decideAction({
        compiled,
        profile: { id: `p${i}`, context: {}, contacts: [] },
        now: NOW,
        trace: true,
      });
      const arm = decided.experiments?.['offer_test'] ?? 'none';
      const actions = seen.get(arm) ?? new Set();
      actions.add(String(decided.action));
      seen.set(arm, actions);
      if (arm === 'control')
        expect(decided.trace?.candidates.find((entry) => entry.action === 'a')?.conditions).toEqual([
          { condition: 'experiment:offer_test', holds: false },
        ]);
    }
    // a is worth most, then b, then c (outside the set): each arm's best allowed action wins.
    expect([...(seen.get('only_a') ?? [])]).toEqual(['a']);
    expect([...(seen.get('only_b') ?? [])]).toEqual(['b']);
    expect([...(seen.get('control') ?? [])]).toEqual(['c']);
  });

  it('refuses arms that do not add up, name no action of the set, or lack one control', () => {
    const issues = validateDecisions(
      decisions([
        {
          ...OFFER_TEST,
          actions: ['a', 'zzz'],
          arms: [
            { key: 'x', percent: 60, action: 'a' },
            { key: 'y', percent: 60, action: 'c' },
          ],
        },
        { ...OFFER_TEST, key: 'holdout' },
      ]),
    );
    expect(issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining([
        'experiments[0].actions[1]',
        'experiments[0].arms[1].action',
        'experiments[0].arms',
        'experiments[1].key',
      ]),
    );
  });
});

let t: TestTailor | undefined;
let dir: string | undefined;
afterEach(async () => {
  await t?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  t = undefined;
  dir = undefined;
});

describe('experiments through the engine', () => {
  it('counts decisions and credited goals per arm, with the lift against control', async () => {
    dir = tempDir('tailor-experiment-');
    t = await openTestTailor({ path: join(dir, 'tailor.db') });
    const tailor = t;
    const yaml = `${workspaceYaml('shop')}
actions:
${['a', 'b']
  .map((key) => `  - { key: ${key}, channels: [in_app], content: { in_app: { title: ${key} } }, value: 1 }`)
  .join('\n')}
experiments:
  - key: offer_test
    actions: [a, b]
    arms: [{ key: control, percent: 50 }, { key: only_a, percent: 50, action: a }]
    goal: { event: Order Completed, within: 1d, value: properties.revenue }
`;
    await tailor.engine.applyWorkspace(parseWorkspaceYaml({ text: yaml }));
    const people = Array.from({ length: 20 }, (_, i) => `u${i}`);
    const arms: string[] = [];
    for (const userId of people) {
      await sendAccepted(tailor, '/v1/identify', { userId });
      const reply = await tailor.app.inject({
        method: 'POST',
        url: `/v1/profiles/user_id:${userId}/decide`,
        headers: { 'content-type': 'application/json', authorization: bearer(tailor.adminKey) },
        payload: '{}',
      });
      const action = reply.json<{ action: { action: string | null; experiments?: Record<string, string> } }>()
        .action;
      const arm = action.experiments?.['offer_test'] ?? 'none';
      arms.push(arm);
      expect(action.action).toBe(arm === 'only_a' ? 'a' : null);
    }
    const inArm = (arm: string) => arms.filter((entry) => entry === arm).length;
    expect(inArm('control')).toBeGreaterThan(0);
    expect(inArm('only_a')).toBeGreaterThan(0);
    tailor.clock.advance(60_000);
    // Everyone in only_a orders, and the first person of the control.
    const firstControl = people[arms.indexOf('control')];
    for (const [i, userId] of people.entries())
      if (arms[i] === 'only_a' || userId === firstControl)
        await sendAccepted(tailor, '/v1/track', {
          userId,
          event: 'Order Completed',
          properties: { revenue: 5 },
        });
    const report = await eventually(async () => {
      const reply = await tailor.app.inject({
        method: 'GET',
        url: '/v1/experiments/offer_test',
        headers: { authorization: bearer(tailor.adminKey) },
      });
      const body = reply.json<{ arms: { arm: string; conversions: number }[] }>();
      const total = body.arms.reduce((sum, arm) => sum + arm.conversions, 0);
      return total === inArm('only_a') + 1 ? body : undefined;
    });
    expect(report.arms).toEqual([
      expect.objectContaining({
        arm: 'control',
        control: true,
        exposures: inArm('control'),
        conversions: 1,
        value: 5,
      }),
      expect.objectContaining({
        arm: 'only_a',
        control: false,
        exposures: inArm('only_a'),
        conversions: inArm('only_a'),
        rate: 1,
        lift: expect.objectContaining({ controlRate: 1 / inArm('control') }),
      }),
    ]);
  });
});
