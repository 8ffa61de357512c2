import { describe, expect, it } from 'vitest';
import { describeExperiment } from '../../src/cli/experiments-command.ts';
import { compileDecisions, validateDecisions } from '../../src/decide/compile-decisions.ts';
import { decidePlacements } from '../../src/decide/decide-placements.ts';
import type { DecisionsDef, ExperimentDef, PlacementDef } from '../../src/decide/decision-def.ts';
import { armsReport } from '../../src/decide/learn/experiment-report.ts';
import { LearnModel, variantLearner } from '../../src/decide/learn/learn-model.ts';
import { LearningState } from '../../src/decide/learn/learning-state.ts';
import { decisionEvents } from '../../src/engine/decide-for.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-10T06:00:00Z');
const ORDER = { event: 'Order Completed', withinMs: DAY };

/** A placement that learns among three variants; `late` holds only for pro people. */
const HERO: PlacementDef = {
  key: 'hero',
  strategy: 'learn',
  goal: ORDER,
  predictors: ['traits.plan'],
  variants: [
    { key: 'spring', content: { title: 'Spring' } },
    { key: 'summer', content: { title: 'Summer' }, propensity: 0.2 },
    { key: 'late', when: { 'traits.plan': 'pro' }, content: { title: 'Late' } },
  ],
};

function decisions(input: { placements: PlacementDef[]; experiments?: ExperimentDef[]; explore?: boolean }) {
  const def: DecisionsDef = {
    placements: input.placements,
    actions: [
      {
        key: 'nudge',
        channels: ['in_app'],
        content: { in_app: { title: 'Hi' } },
        value: 1,
        weight: 1,
        propensity: 0.1,
        contextWeights: [],
        goal: ORDER,
      },
    ],
    contactPolicy: { caps: [] },
    triggers: [],
    learning: { priorStrength: 2, explore: input.explore ?? false, maxExploration: 1 },
  };
  if (input.experiments !== undefined) def.experiments = input.experiments;
  return def;
}

function decide(input: {
  def: DecisionsDef;
  plan: string;
  model?: LearnModel;
  id?: string;
  seed?: string;
  trace?: boolean;
}) {
  const decided = decidePlacements({
    compiled: compileDecisions(input.def),
    keys: ['hero'],
    context: {},
    profile: { id: input.id ?? 'p1', context: { traits: { plan: input.plan } } },
    model: input.model,
    seed: input.seed,
    now: NOW,
    trace: input.trace ?? true,
  });
  const hero = decided['hero'];
  if (hero === undefined) throw new Error('no hero');
  return hero;
}

/** A model where, for free people, `summer` converted 30 of 100 and `spring` 5 of 100. */
function learnedModel(): LearnModel {
  const model = new LearnModel();
  const record = (variant: string, trials: number, successes: number) => {
    for (let i = 0; i < trials; i += 1) model.trial(variantLearner('hero', variant), 'free');
    for (let i = 0; i < successes; i += 1) model.success(variantLearner('hero', variant), 'free');
  };
  record('spring', 100, 5);
  record('summer', 100, 30);
  return model;
}

describe('placements with strategy: learn', () => {
  it('starts from the priors: the highest declared propensity wins, ties go to the first', () => {
    const decided = decide({ def: decisions({ placements: [HERO] }), plan: 'free' });
    // spring and late have the default prior 0.5, summer 0.2; late does not hold for free people.
    expect(decided.variant).toBe('spring');
    expect(decided.learning).toEqual({
      bin: 'free',
      propensity: 0.5,
      mean: 0.5,
      evidence: 0,
      explored: false,
    });
    expect(decided.trace).toEqual([
      { variant: 'spring', holds: true, learned: { bin: 'free', propensity: 0.5, mean: 0.5, evidence: 0 } },
      {
        variant: 'summer',
        holds: true,
        learned: expect.objectContaining({ bin: 'free', mean: expect.closeTo(0.2, 9), evidence: 0 }),
      },
      { variant: 'late', holds: false, reads: { 'traits.plan': 'free' } },
    ]);
  });

  it('shows the variant that learned the best propensity in the person’s bin, with its evidence', () => {
    const model = learnedModel();
    const free = decide({ def: decisions({ placements: [HERO] }), plan: 'free', model });
    expect(free.variant).toBe('summer');
    expect(free.learning).toMatchObject({ bin: 'free', evidence: 100, explored: false });
    expect(free.learning?.mean).toBeCloseTo((0.4 + 30) / 102, 9);
    expect(free.content).toEqual({ title: 'Summer' });
    // Pro people are another bin: nothing learned there, so the priors decide again.
    const pro = decide({ def: decisions({ placements: [HERO] }), plan: 'pro', model });
    expect(pro.variant).toBe('spring');
    expect(pro.trace?.map((entry) => entry.learned?.evidence)).toEqual([0, 0, 0]);
  });

  it('explores by Thompson sampling, the same way for the same decision, and says when it did', () => {
    const def = decisions({ placements: [HERO], explore: true });
    const model = learnedModel();
    const shown = new Map<string, number>();
    let explored = 0;
    for (let i = 0; i < 400; i += 1) {
      const decided = decide({ def, plan: 'free', model, seed: `d${i}`, trace: false });
      expect(decide({ def, plan: 'free', model, seed: `d${i}`, trace: false })).toEqual(decided);
      shown.set(String(decided.variant), (shown.get(String(decided.variant)) ?? 0) + 1);
      if (decided.learning?.explored === true) {
        explored += 1;
        expect(decided.variant).toBe('spring');
      }
    }
    // summer's evidence is clear (30% against 5%), so it is shown nearly always; spring is
    // tried only when its sample beats summer's, and each such choice is an exploration.
    expect(shown.get('summer') ?? 0).toBeGreaterThan(380);
    expect(explored).toBe(shown.get('spring') ?? 0);
  });

  it('keeps first_match as the default, where the first variant that holds wins whatever was learned', () => {
    const { strategy: _, goal: __, predictors: ___, ...plain } = HERO;
    const decided = decide({ def: decisions({ placements: [plain] }), plan: 'pro', model: learnedModel() });
    expect(decided.variant).toBe('spring');
    expect(decided.learning).toBeUndefined();
    expect(decided.trace).toEqual([{ variant: 'spring', holds: true }]);
  });

  it('refuses a learning placement whose variant has no goal, and a propensity outside 0..1', () => {
    const issues = validateDecisions(
      decisions({
        placements: [
          {
            key: 'hero',
            strategy: 'learn',
            variants: [
              { key: 'a', content: {}, goal: ORDER },
              { key: 'b', content: {}, propensity: 2 },
            ],
          },
        ],
      }),
    );
    expect(issues.map((issue) => issue.path)).toEqual([
      'placements[0].variants[1].goal',
      'placements[0].variants[1].propensity',
    ]);
  });
});

const HERO_TEST: ExperimentDef = {
  key: 'hero_test',
  placement: 'hero',
  arms: [
    { key: 'control', percent: 34 },
    { key: 'summer', percent: 33, variant: 'summer' },
    { key: 'late', percent: 33, variant: 'late' },
  ],
  goal: ORDER,
  salt: 's',
};

describe('experiments over a placement', () => {
  const { strategy: _, goal: __, predictors: ___, ...plain } = HERO;

  it('shows each arm its variant, the control the placement without the arms’ variants, and records the arm', () => {
    const def = decisions({ placements: [plain], experiments: [HERO_TEST] });
    const seen = new Map<string, Set<string>>();
    for (let i = 0; i < 300; i += 1) {
      const decided = decide({ def, plan: 'pro', id: `p${i}` });
      const arm = decided.experiments?.['hero_test'] ?? 'none';
      seen.set(arm, (seen.get(arm) ?? new Set()).add(String(decided.variant)));
    }
    // spring is not in the experiment's set and comes first, so it would win everywhere under
    // first_match; an arm keeps it, and shows its variant only where spring's absence lets it.
    expect([...(seen.get('control') ?? [])]).toEqual(['spring']);
    expect([...(seen.get('summer') ?? [])]).toEqual(['spring']);
    const onlySet = decisions({
      placements: [{ ...plain, variants: plain.variants.slice(1) }],
      experiments: [HERO_TEST],
    });
    const arms = new Map<string, Set<string>>();
    for (let i = 0; i < 300; i += 1) {
      const decided = decide({ def: onlySet, plan: 'pro', id: `p${i}` });
      const arm = decided.experiments?.['hero_test'] ?? 'none';
      arms.set(arm, (arms.get(arm) ?? new Set()).add(String(decided.variant)));
      if (arm === 'control')
        expect(decided.trace?.find((entry) => entry.variant === 'summer')).toEqual({
          variant: 'summer',
          holds: false,
          experiment: 'hero_test',
        });
    }
    expect([...(arms.get('summer') ?? [])]).toEqual(['summer']);
    expect([...(arms.get('late') ?? [])]).toEqual(['late']);
    // The control gets none of the set: with no other variant, nothing is shown.
    expect([...(arms.get('control') ?? [])]).toEqual(['null']);
    expect(arms.has('none')).toBe(false);
  });

  it('reports exposures, conversions, rate and lift per arm, from the placements shown, as the CLI prints it', () => {
    const compiled = compileDecisions(decisions({ placements: [plain], experiments: [HERO_TEST] }));
    const experiment = compiled.experiments[0];
    if (experiment === undefined) throw new Error('no experiment');
    const state = new LearningState();
    // 40 showings in the control with 2 goals credited, 40 in `summer` with 8.
    for (const [arm, goals] of [
      ['control', 2],
      ['summer', 8],
    ] as const)
      for (let i = 0; i < 40; i += 1) {
        const id = `${arm}-${i}`;
        const context = { tailor: { recorded: true, profile_id: id } };
        state.observe(
          {
            messageId: id,
            event: 'Content Shown',
            timestamp: NOW,
            properties: { placement: 'hero', variant: 'spring', experiments: { hero_test: arm } },
            context,
          },
          DAY,
        );
        if (i < goals)
          state.observe(
            {
              messageId: `${id}-goal`,
              event: 'Goal Reached',
              timestamp: NOW + 1,
              properties: { experiment: 'hero_test', arm, decision_id: id, value: 10 },
              context,
            },
            DAY,
          );
      }
    const report = armsReport(state, experiment);
    expect(report.description).toContain('variants of hero (summer, late)');
    expect(report.arms).toEqual([
      expect.objectContaining({
        arm: 'control',
        control: true,
        exposures: 40,
        conversions: 2,
        rate: 0.05,
        value: 20,
      }),
      expect.objectContaining({
        arm: 'summer',
        exposures: 40,
        conversions: 8,
        rate: 0.2,
        lift: expect.objectContaining({
          difference: expect.closeTo(0.15, 9),
          relative: expect.closeTo(3, 9),
        }),
      }),
      expect.objectContaining({ arm: 'late', exposures: 0, conversions: 0 }),
    ]);
    const text = describeExperiment(report);
    expect(text).toContain('control  2/40 = 5.00%  (control)');
    expect(text).toMatch(/summer {3}8\/40 = 20\.00% {3}lift \+15\.00 points \[/);
    expect(text).toContain("Newcombe's hybrid score interval");
  });

  it('refuses arms over a placement that name no variant of it, or an action', () => {
    const issues = validateDecisions(
      decisions({
        placements: [plain],
        experiments: [
          {
            ...HERO_TEST,
            arms: [
              { key: 'control', percent: 50 },
              { key: 'x', percent: 25, variant: 'winter' },
              { key: 'y', percent: 25, action: 'nudge' },
            ],
          },
          { ...HERO_TEST, key: 'other', placement: 'nowhere' },
          { ...HERO_TEST, key: 'both', actions: ['nudge'] },
        ],
      }),
    );
    expect(issues.map((issue) => issue.path)).toEqual([
      'experiments[0].arms[1].variant',
      'experiments[0].arms[2].action',
      // the arm with an action has no variant, so it reads as a second control
      'experiments[0].arms',
      'experiments[1].placement',
      'experiments[2]',
    ]);
  });
});

describe('learning from variants shown', () => {
  const def = decisions({ placements: [HERO] });
  const compiled = compileDecisions(def);

  function shown(id: string, input: { profile: string; variant: string; at: number; bin: string }) {
    return {
      messageId: id,
      event: 'Content Shown',
      timestamp: input.at,
      properties: {
        placement: 'hero',
        variant: input.variant,
        learning: { bin: input.bin, propensity: 0.5, mean: 0.5, evidence: 0, explored: false },
      },
      context: { tailor: { recorded: true, profile_id: input.profile } },
    };
  }

  it('records a shown variant of a learning placement for a known person, and nothing for others', () => {
    const result = {
      profile_id: 'p1',
      placements: decidePlacements({
        compiled,
        keys: ['hero'],
        context: {},
        profile: { id: 'p1', context: { traits: { plan: 'free' } } },
        now: NOW,
        trace: false,
      }),
    };
    const events = decisionEvents({ result, identity: { userId: 'u1' }, messageId: 'm1', now: NOW });
    expect(events).toEqual([
      expect.objectContaining({
        messageId: 'm1-shown-hero',
        event: 'Content Shown',
        properties: {
          placement: 'hero',
          variant: 'spring',
          learning: { bin: 'free', propensity: 0.5, mean: 0.5, evidence: 0, explored: false },
        },
        context: { tailor: { recorded: true, profile_id: 'p1' } },
      }),
    ]);
    // Someone Tailor does not know cannot be credited a goal: the choice is not recorded.
    expect(
      decisionEvents({ result: { ...result, profile_id: null }, identity: {}, messageId: 'm2', now: NOW }),
    ).toEqual([]);
  });

  it('credits a goal to the latest variant shown per placement and to the latest action decision, each once', () => {
    const state = new LearningState();
    state.observe(shown('s1', { profile: 'p', variant: 'spring', at: NOW, bin: 'free' }), DAY);
    state.observe(shown('s2', { profile: 'p', variant: 'summer', at: NOW + 10, bin: 'free' }), DAY);
    state.observe(
      {
        messageId: 'd1',
        event: 'Decision Made',
        timestamp: NOW + 5,
        properties: {
          outcome: 'action',
          action: 'nudge',
          learning: { bin: '*', propensity: 0.1, mean: 0.1, evidence: 0, explored: false },
        },
        context: { tailor: { recorded: true, profile_id: 'p' } },
      },
      DAY,
    );
    expect(state.model.counts(variantLearner('hero', 'spring'), 'free')).toEqual({ trials: 1, successes: 0 });
    expect(state.model.counts(variantLearner('hero', 'summer'), 'free')).toEqual({ trials: 1, successes: 0 });
    const credited = state.attribute({
      profileIds: ['p'],
      name: 'Order Completed',
      at: NOW + 20,
      learners: compiled.learners,
    });
    expect(credited.map(({ decision }) => [decision.id, decision.placement])).toEqual([
      ['s2', 'hero'],
      ['d1', undefined],
    ]);
    expect(
      state.attribute({
        profileIds: ['p'],
        name: 'Order Completed',
        at: NOW + 2,
        learners: compiled.learners,
      }),
    ).toEqual([expect.objectContaining({ decision: expect.objectContaining({ id: 's1' }) })]);
    const goal = {
      messageId: 'g1-goal-placement-hero',
      event: 'Goal Reached',
      timestamp: NOW + 20,
      properties: {
        goal: 'Order Completed',
        placement: 'hero',
        variant: 'summer',
        decision_id: 's2',
        bin: 'free',
      },
      context: { tailor: { recorded: true, profile_id: 'p' } },
    };
    state.observe(goal, DAY);
    state.observe({ ...goal, messageId: 'again' }, DAY);
    expect(state.model.counts(variantLearner('hero', 'summer'), 'free')).toEqual({ trials: 1, successes: 1 });
    // Placements are not held out: the holdout's groups count actions only.
    expect(state.groups.action.conversions).toBe(0);

    const recount = new LearningState();
    for (const event of [
      shown('s1', { profile: 'p', variant: 'spring', at: NOW, bin: 'free' }),
      shown('s2', { profile: 'p', variant: 'summer', at: NOW + 10, bin: 'free' }),
      goal,
    ])
      recount.observe(event, DAY);
    expect(recount.model.binsOf(variantLearner('hero', 'summer'))).toEqual(
      state.model.binsOf(variantLearner('hero', 'summer')),
    );
  });
});
