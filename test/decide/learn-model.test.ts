import { describe, expect, it } from 'vitest';
import { compileDecisions } from '../../src/decide/compile-decisions.ts';
import { decideAction } from '../../src/decide/decide-action.ts';
import { sampleBeta } from '../../src/decide/learn/beta-sample.ts';
import { type CompiledLearning, LearnModel } from '../../src/decide/learn/learn-model.ts';
import { LearningState } from '../../src/decide/learn/learning-state.ts';
import { liftAgainstControl, wilsonInterval } from '../../src/decide/learn/lift-interval.ts';
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
    maxExploration: 1,
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
    expect(model.estimate({ key: 'a', learning: rule, bin: 'pro', random: undefined }).mean).toBe(0.5);
    for (let i = 0; i < 1000; i += 1) {
      model.trial('a', 'pro');
      if (i % 5 === 0) model.success('a', 'pro');
      model.trial('a', 'free');
      if (i % 50 === 0) model.success('a', 'free');
    }
    const pro = model.estimate({ key: 'a', learning: rule, bin: 'pro', random: undefined });
    const free = model.estimate({ key: 'a', learning: rule, bin: 'free', random: undefined });
    expect(pro.mean).toBeCloseTo((1 + 200) / 1002, 9);
    expect(free.mean).toBeCloseTo((1 + 20) / 1002, 9);
    expect(pro.evidence).toBe(1000);
    // A bin never seen starts from the declared propensity: its prior.
    expect(model.estimate({ key: 'a', learning: rule, bin: 'team', random: undefined })).toEqual({
      bin: 'team',
      propensity: 0.5,
      mean: 0.5,
      evidence: 0,
    });
    expect(model.counts('a')).toEqual({ trials: 2000, successes: 220 });
  });

  it('samples the same way for the same seed, spread as the posterior is', () => {
    const model = new LearnModel();
    for (let i = 0; i < 40; i += 1) {
      model.trial('a', 'pro');
      if (i % 4 === 0) model.success('a', 'pro');
    }
    const rule = learning(0.5);
    const draw = (seed: string) =>
      model.estimate({ key: 'a', learning: rule, bin: 'pro', random: seededRandom(seed) });
    expect(draw('x')).toEqual(draw('x'));
    const samples = Array.from({ length: 4000 }, (_, i) => draw(`s${i}`).propensity);
    // Beta(1 + 10, 1 + 30): mean 11/42, variance αβ / ((α+β)²(α+β+1)).
    const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
    const variance = samples.reduce((sum, value) => sum + (value - mean) ** 2, 0) / samples.length;
    expect(mean).toBeCloseTo(11 / 42, 2);
    expect(variance).toBeCloseTo((11 * 31) / (42 ** 2 * 43), 3);
    expect(draw('x').mean).toBeCloseTo(11 / 42, 9);
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
      state.attribute({ profileIds: [profile], name: 'Order Completed', at, learners: compiled.learners })[0];
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
  const twoActions = (learning: { priorStrength: number; explore: boolean; maxExploration: number }) =>
    compileDecisions({
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
      })),
      contactPolicy: { caps: [] },
      triggers: [],
      learning,
    });

  it('explores at most in the share of decisions max_exploration allows, and says when it did', () => {
    // Two actions of equal evidence and nearly equal means: a sample often reorders them.
    const model = new LearnModel();
    for (let i = 0; i < 20; i += 1) {
      model.trial('a', '*');
      model.trial('b', '*');
      if (i % 2 === 0) model.success('a', '*');
      if (i % 2 === 0 && i > 0) model.success('b', '*');
    }
    const explored = (maxExploration: number) => {
      const compiled = twoActions({ priorStrength: 2, explore: true, maxExploration });
      let count = 0;
      for (let i = 0; i < 2000; i += 1) {
        const decided = decideAction({
          compiled,
          profile: { id: `p${i}`, context: {}, contacts: [] },
          now: NOW,
          trace: false,
          model,
        });
        if (decided.learning?.explored === true) {
          expect(decided.action).toBe('b');
          count += 1;
        }
      }
      return count / 2000;
    };
    const free = explored(1);
    const bounded = explored(0.1);
    expect(free).toBeGreaterThan(0.2);
    expect(bounded).toBeLessThanOrEqual(0.1);
    expect(bounded).toBeGreaterThan(0);
    expect(explored(0)).toBe(0);
  });

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
      learning: { priorStrength: 2, explore: false, maxExploration: 1 },
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

describe('lift against control', () => {
  it('matches Newcombe (1998) worked example: 56/70 against 48/80', () => {
    // Newcombe, Statistics in Medicine 17:873–890, table II example (a): method 10 gives 0.0524 to 0.3339.
    const lift = liftAgainstControl({ exposures: 70, conversions: 56 }, { exposures: 80, conversions: 48 });
    expect(lift.difference).toBeCloseTo(0.2, 6);
    expect(lift.differenceInterval[0]).toBeCloseTo(0.0524, 4);
    expect(lift.differenceInterval[1]).toBeCloseTo(0.3339, 4);
    expect(lift.relative).toBeCloseTo(1 / 3, 6);
  });

  it('matches Wilson intervals at the edges and has no relative lift without control conversions', () => {
    expect(wilsonInterval(0, 10)[0]).toBe(0);
    expect(wilsonInterval(0, 10)[1]).toBeCloseTo(0.2775, 4);
    const lift = liftAgainstControl({ exposures: 10, conversions: 1 }, { exposures: 10, conversions: 0 });
    expect(lift.relative).toBeNull();
    expect(lift.differenceInterval[0]).toBeLessThan(0);
  });
});

describe('sampleBeta', () => {
  it.each([
    [0.1, 1.9],
    [11, 31],
    [120, 880],
  ])('draws Beta(%d, %d) with its mean and variance, whichever method it takes', (alpha, beta) => {
    const random = seededRandom(`beta-${alpha}-${beta}`);
    const samples = Array.from({ length: 20_000 }, () => sampleBeta(alpha, beta, random));
    const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
    const variance = samples.reduce((sum, value) => sum + (value - mean) ** 2, 0) / samples.length;
    const total = alpha + beta;
    const expectedVariance = (alpha * beta) / (total * total * (total + 1));
    expect(Math.abs(mean - alpha / total)).toBeLessThan(4 * Math.sqrt(expectedVariance / samples.length));
    expect(variance / expectedVariance).toBeGreaterThan(0.95);
    expect(variance / expectedVariance).toBeLessThan(1.05);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThanOrEqual(1);
  });
});
