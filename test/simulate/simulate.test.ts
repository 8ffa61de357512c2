import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTargets, simulateCommand } from '../../src/cli/simulate-command.ts';
import { isTailorError } from '../../src/errors.ts';
import { countViolations } from '../../src/simulate/contact-violations.ts';
import { responseProbability } from '../../src/simulate/hidden-response.ts';
import { policyRates } from '../../src/simulate/policy-report.ts';
import { runSimulation } from '../../src/simulate/run-simulation.ts';
import { readScenario, toScenario } from '../../src/simulate/scenario.ts';
import { readWorkspaceFile } from '../../src/workspace/read-workspace-file.ts';

const EXAMPLE = join(import.meta.dirname, '../../examples/learn/scenario.yaml');
const DAY = 86_400_000;

describe('the hidden response and the policy report', () => {
  const scenario = toScenario(
    {
      workspace: 'w.yaml',
      people: 1,
      decisions: 1,
      days: 1,
      goal: 'Order Completed',
      delay: '1h',
      respond: [
        { when: { 'traits.plan': 'free' }, p: { none: 0.01, a: 0.1, b: 0.02 } },
        { p: { none: 0.02, a: 0.03, b: 0.2 } },
      ],
    },
    '/tmp',
  );

  it('reads the first rule that matches, and `none` for an action it does not name', () => {
    expect(responseProbability(scenario, { 'traits.plan': 'free' }, 'a')).toBe(0.1);
    expect(responseProbability(scenario, { 'traits.plan': 'pro' }, 'b')).toBe(0.2);
    expect(responseProbability(scenario, { 'traits.plan': 'pro' }, 'c')).toBe(0.02);
  });

  it('compares policies over the same contacts', () => {
    const free = { 'traits.plan': 'free' };
    const pro = { 'traits.plan': 'pro' };
    const rates = policyRates({
      scenario,
      actions: ['a', 'b'],
      slots: [
        { situation: free, action: 'a' },
        { situation: pro, action: 'a' },
      ],
    });
    expect(rates.learned).toBeCloseTo((0.1 + 0.03) / 2, 9);
    expect(rates.oracle).toBeCloseTo((0.1 + 0.2) / 2, 9);
    expect(rates.staticAction).toBe('b');
    expect(rates.static).toBeCloseTo((0.02 + 0.2) / 2, 9);
    expect(rates.random).toBeCloseTo((0.1 + 0.02 + 0.03 + 0.2) / 4, 9);
    expect(rates.holdout).toBeCloseTo((0.01 + 0.02) / 2, 9);
  });

  it('counts consent and cap violations apart from the engine', () => {
    const contacts = [0, 1, 2].map((hour) => ({ person: 'p', channel: 'email', at: hour * 3_600_000 }));
    contacts.push({ person: 'q', channel: 'email', at: 0 }, { person: 'q', channel: 'email', at: DAY });
    expect(
      countViolations({
        contacts,
        caps: [{ channel: 'email', max: 1, perMs: DAY }],
        refused: (person) => person === 'q',
      }),
    ).toEqual({ consent: 2, caps: 2 });
  });

  it('refuses a scenario with every problem named by path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tailor-scenario-'));
    const path = join(dir, 'bad.yaml');
    writeFileSync(
      path,
      'workspace: w.yaml\npeople: -1\ndecisions: 10\ndays: 1\ngoal: G\ndelay: soon\nrespond: []\n',
    );
    const error = await readScenario(path).catch((caught: unknown) => caught);
    expect(isTailorError(error) && error.code).toBe('INVALID_SCENARIO');
    const paths = isTailorError(error) ? error.details.map((detail) => detail.path) : [];
    expect(paths).toEqual(expect.arrayContaining(['/people', '/respond']));
  });
});

describe('simulating the shipped scenario, shortened', () => {
  it('learns per segment through the engine, beats the best static rule, and keeps the contact policy', async () => {
    const scenario = { ...(await readScenario(EXAMPLE)), people: 400, decisions: 3_000, evaluate: 600 };
    const workspace = await readWorkspaceFile(scenario.workspacePath);
    const result = await runSimulation({ scenario, workspace });
    const { window } = result;
    expect(window.contacts).toBeGreaterThan(100);
    expect(window.oracle).toBeGreaterThan(window.static);
    expect(window.learned).toBeGreaterThan(window.static);
    expect(window.learned).toBeGreaterThan(window.random);
    expect(checkTargets(result).violations).toBe(0);
    expect(result.outcomes.held_out).toBeGreaterThan(0);
    // Tailor's own holdout report counts the goals it credited: next best action beats the holdout.
    const [control, treated] = result.holdout.arms;
    expect(control?.arm).toBe('held_out');
    expect(treated?.lift?.differenceInterval[0]).toBeGreaterThan(0);
    expect(treated?.exposures).toBe(result.outcomes.action);
  }, 60_000);

  it('learns which variant of a placement to show per segment, through the engine', async () => {
    const scenario = {
      ...(await readScenario(join(import.meta.dirname, '../../examples/learn/placement-scenario.yaml'))),
      people: 400,
      decisions: 3_000,
      evaluate: 600,
    };
    const workspace = await readWorkspaceFile(scenario.workspacePath);
    const result = await runSimulation({ scenario, workspace });
    const { window } = result;
    // Every decision shows a variant: the window's showings are its decisions.
    expect(window.contacts).toBe(600);
    expect(window.oracle).toBeGreaterThan(window.static);
    expect(window.learned).toBeGreaterThan(window.static);
    expect(window.learned).toBeGreaterThan(window.random);
    // Tailor counted every showing and the goals it credited to them, per variant.
    const learned = result.holdout.actions ?? [];
    expect(learned.map((learner) => learner.action)).toEqual([
      'hero/discount_banner',
      'hero/shipping_banner',
      'hero/premium_banner',
    ]);
    expect(learned.reduce((sum, learner) => sum + learner.decisions, 0)).toBe(result.decisions);
    expect(learned.reduce((sum, learner) => sum + learner.conversions, 0)).toBeGreaterThan(0);
  }, 60_000);

  it('prints the report and says whether the targets were met', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tailor-scenario-'));
    const path = join(dir, 'tiny.yaml');
    writeFileSync(
      path,
      `workspace: ${join(import.meta.dirname, '../../examples/learn/workspace.yaml')}\npeople: 50\ndecisions: 200\nevaluate: 50\ndays: 5\ngoal: Order Completed\ndelay: 6h\ntraits: { plan: { free: 1 } }\nrespond:\n  - p: { none: 0.5, discount_10: 0.5, free_shipping: 0.5, premium_trial: 0.5 }\n`,
    );
    const { report, met } = await simulateCommand({ path });
    expect(report).toContain('learned policy');
    expect(report).toContain('oracle');
    expect(report).toContain('contact policy and consent violations: 0');
    // Every action is as good as none: no lift to learn, so the targets cannot be met.
    expect(met).toBe(false);
    expect(report).toContain('targets NOT met');
  }, 30_000);
});
