import { describe, expect, it } from 'vitest';
import { compileDecisions } from '../../src/decide/compile-decisions.ts';
import { decideAction } from '../../src/decide/decide-action.ts';
import { type CompiledLearning, LearnModel } from '../../src/decide/learn/learn-model.ts';
import { LearningState } from '../../src/decide/learn/learning-state.ts';
import { compilePredictorBin } from '../../src/decide/learn/predictor-bin.ts';
import { seededRandom } from '../../src/decide/learn/seeded-random.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-10T06:00:00Z');

function learning(priorMean: number, explore = true): CompiledLearning {
  return {
    goal: { event: 'Order Completed', withinMs: 7 * DAY },
    goalValue: undefined,
    predictors: ['traits.plan'],
    bin: compilePredictorBin(['traits.plan']),
    priorMean,
    priorStrength: 2,
    explore,
  };
}

describe('predictor bins', () => {
  it.each([
    [['traits.plan'], { traits: { plan: 'pro' } }, 'pro'],
    [['traits.plan', 'context.device'], { traits: { plan: 'pro' }, context: {} }, 'pro|-'],
    [['segments'], { segments: { vip: 1, buyers: 2 } }, 'buyers,vip'],
    [[], { traits: { plan: 'pro' } }, '*'],
  ])('%j of %j is %s', (paths, context, bin) => {
    expect(compilePredictorBin(paths)(context)).toBe(bin);
  });
});

describe('LearnModel', () => {
  it('starts at the declared propensity and moves to what each bin shows', () => {
    const model = new LearnModel();
    const rule = learning(0.5, false);
    expect(model.estimate({ action: 'a', learning: rule, bin: 'pro', random: undefined }).mean).toBe(0.5);
    for (let i = 0; i < 1000; i += 1) {
      model.trial('a', 'pro');
      if (i % 5 === 0) model.success('a', 'pro');
      model.trial('a', 'free');
      if (i % 50 === 0) model.success('a', 'free');
    }
    const pro = model.estimate({ action: 'a', learning: rule, bin: 'pro', random: undefined });
    const free = model.estimate({ action: 'a', learning: rule, bin: 'free', random: undefined });
    expect(pro.mean).toBeCloseTo(0.2, 2);
    expect(free.mean).toBeCloseTo(0.02, 2);
    expect(pro.evidence).toBe(1000);
    // A bin never seen starts from the action's pooled mean, not from the prior.
    const fresh = model.estimate({ action: 'a', learning: rule, bin: 'team', random: undefined });
    expect(fresh.evidence).toBe(0);
    expect(fresh.mean).toBeCloseTo(0.11, 2);
  });

  it('samples the same way for the same seed, within two standard deviations of the mean', () => {
    const model = new LearnModel();
    for (let i = 0; i < 40; i += 1) {
      model.trial('a', 'pro');
      if (i % 4 === 0) model.success('a', 'pro');
    }
    const rule = learning(0.5);
    const draw = (seed: string) =>
      model.estimate({ action: 'a', learning: rule, bin: 'pro', random: seededRandom(seed) });
    expect(draw('x')).toEqual(draw('x'));
    const samples = Array.from({ length: 500 }, (_, i) => draw(`s${i}`).propensity);
    const { mean } = draw('x');
    // The pooled mean (prior 0.5 worth 2, then 10 of 40) is the bin's prior, worth 2 too.
    const a = 2 * ((2 * 0.5 + 10) / 42) + 10;
    const b = 2 * (1 - (2 * 0.5 + 10) / 42) + 30;
    const sd = Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)));
    expect(Math.max(...samples)).toBeLessThanOrEqual(mean + 2 * sd + 1e-12);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(mean - 2 * sd - 1e-12);
    expect(new Set(samples).size).toBeGreaterThan(400);
  });
});

function decision(
  id: string,
  input: { profile: string; action: string; outcome: string; at: number; bin: string },
) {
  return {
    messageId: id,
    event: 'Decision Made',
    timestamp: input.at,
    properties: {
      outcome: input.outcome,
      action: input.outcome === 'action' ? input.action : null,
      recommended_action: input.action,
      learning: { bin: input.bin, propensity: 0.1, mean: 0.1, evidence: 0, explored: false },
    },
    context: { tailor: { recorded: true, profile_id: input.profile } },
  };
}

describe('LearningState', () => {
  const compiled = compileDecisions({
    placements: [],
    actions: ['a', 'b'].map((key) => ({
      key,
      channels: ['in_app'],
      content: { in_app: { title: key } },
      value: 1,
      weight: 1,
      propensity: 0.1,
      contextWeights: [],
      goal: { event: 'Order Completed', withinMs: DAY },
    })),
    contactPolicy: { caps: [] },
    triggers: [],
  });

  it('credits a goal to the latest decision within its window, once', () => {
    const state = new LearningState();
    state.observe(decision('d1', { profile: 'p', action: 'a', outcome: 'action', at: NOW, bin: '*' }), DAY);
    state.observe(
      decision('d2', { profile: 'p', action: 'b', outcome: 'action', at: NOW + 10, bin: '*' }),
      DAY,
    );
    state.observe(decision('d3', { profile: 'q', action: 'b', outcome: 'held_out', at: NOW, bin: '*' }), DAY);
    const ask = (profile: string, at: number) =>
      state.attribute({ profileIds: [profile], name: 'Order Completed', at, actions: compiled.actionsByKey });
    expect(ask('p', NOW + 5)?.decision.id).toBe('d1');
    expect(ask('p', NOW + 20)?.decision.id).toBe('d2');
    expect(ask('p', NOW + 10 + DAY + 1)).toBeUndefined();
    expect(ask('q', NOW + 1)?.decision.group).toBe('held_out');
    const found = ask('p', NOW + 20);
    if (found === undefined) throw new Error('no decision');
    found.decision.credited = true;
    expect(ask('p', NOW + 30)?.decision.id).toBe('d1');
    expect(state.groups).toEqual({
      action: { decisions: 2, conversions: 0, value: 0 },
      held_out: { decisions: 1, conversions: 0, value: 0 },
    });
  });

  it('counts the same log into the same model, and a goal once per decision', () => {
    const log = [
      decision('d1', { profile: 'p', action: 'a', outcome: 'action', at: NOW, bin: 'pro' }),
      decision('d2', { profile: 'q', action: 'a', outcome: 'action', at: NOW, bin: 'free' }),
      ...[1, 2].map((n) => ({
        messageId: `g${n}`,
        event: 'Goal Reached',
        timestamp: NOW + n,
        properties: { decision_id: 'd1', action: 'a', group: 'action', bin: 'pro', value: 30 },
        context: { tailor: { recorded: true, profile_id: 'p' } },
      })),
    ];
    const fold = () => {
      const state = new LearningState();
      for (const event of log) state.observe(event, DAY);
      return state;
    };
    const first = fold();
    expect(first.model.counts('a', 'pro')).toEqual({ trials: 1, successes: 1 });
    expect(first.model.counts('a', 'free')).toEqual({ trials: 1, successes: 0 });
    expect(first.groups.action).toEqual({ decisions: 2, conversions: 1, value: 30 });
    expect(fold().model.binsOf('a')).toEqual(first.model.binsOf('a'));
  });
});

describe('decideAction with learning', () => {
  it('ranks by the learned propensity and shows it in the trace and the decision', () => {
    const compiled = compileDecisions({
      placements: [],
      actions: ['a', 'b'].map((key) => ({
        key,
        channels: ['in_app'],
        content: { in_app: { title: key } },
        value: 1,
        weight: 1,
        propensity: 0.5,
        contextWeights: [],
        goal: { event: 'Order Completed', withinMs: DAY },
        predictors: ['traits.plan'],
      })),
      contactPolicy: { caps: [] },
      triggers: [],
      learning: { priorStrength: 2, explore: false },
    });
    const model = new LearnModel();
    for (let i = 0; i < 100; i += 1) {
      model.trial('a', 'pro');
      model.trial('b', 'pro');
      if (i % 2 === 0) model.success('b', 'pro');
      if (i % 10 === 0) model.success('a', 'pro');
    }
    const decided = decideAction({
      compiled,
      profile: { id: 'p1', context: { traits: { plan: 'pro' } }, contacts: [] },
      now: NOW,
      trace: true,
      model,
    });
    expect(decided.action).toBe('b');
    expect(decided.learning).toMatchObject({ bin: 'pro', evidence: 100, explored: false });
    expect(decided.learning?.mean).toBeCloseTo(51 / 102, 6);
    expect(decided.trace?.candidates.map((entry) => entry.learned?.evidence)).toEqual([100, 100]);
    expect(decided.reason).toContain(`propensity ${Number((51 / 102).toPrecision(6))}`);
  });
});
