import { fakeClock } from '../clock.ts';
import { type ExperimentReport, holdoutReport } from '../decide/learn/experiment-report.ts';
import { variantLearner } from '../decide/learn/learn-model.ts';
import { seededRandom } from '../decide/learn/seeded-random.ts';
import { type DecideResult, decideFor, decisionEvents } from '../engine/decide-for.ts';
import { Engine } from '../engine/engine.ts';
import { TailorError } from '../errors.ts';
import type { TailorEvent } from '../ingest/event.ts';
import { isJsonObject } from '../ingest/merge-objects.ts';
import { normalizeCall } from '../ingest/normalize-call.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { WorkspaceDefinition } from '../workspace/workspace.ts';
import { countViolations, type MadeContact } from './contact-violations.ts';
import { NO_ACTION, responseProbability, type Situation } from './hidden-response.ts';
import { type ContactSlot, type PolicyRates, policyRates } from './policy-report.ts';
import type { Scenario } from './scenario.ts';

/** What a simulation measured. */
export interface SimulationResult {
  decisions: number;
  /** The policies compared over the contacts of the evaluation window (after `decisions`). */
  window: PolicyRates;
  /** The same over every contact of the run, learning included. */
  overall: PolicyRates;
  /** Goals that happened in the window, per contact the learned policy made (sampled, not expected). */
  windowObserved: number;
  /** Decisions by outcome over the whole run. */
  outcomes: Record<'action' | 'no_action' | 'held_out', number>;
  /** Decisions the learned policy won by exploring, over the whole run and in the window. */
  explored: { overall: number; window: number };
  violations: { consent: number; caps: number };
  /** Tailor's own holdout report at the end: next best action against the held-out group. */
  holdout: ExperimentReport;
  /** Mean time of one decision in the engine (profile read, decide, record), in microseconds. */
  decideMicros: number;
}

interface PendingGoal {
  at: number;
  person: string;
}

/** Decisions sent to the engine together, as concurrent requests would be (one per person). */
const BATCH = 50;

/**
 * Runs a scenario through the real engine in accelerated time: an in-memory SQLite store, a
 * fake clock walked from `start` over `durationMs`, `people` identified with traits drawn from
 * the scenario (and consent), then `decisions + evaluate` decisions for people drawn at random,
 * each decided by the engine as the decide API does (profile read, decideFor with the
 * workspace's learned model, `Decision Made` recorded) — or, for a scenario with a `placement`,
 * that placement filled (its variants are the options, each shown recorded as `Content Shown`;
 * a showing has no channel, so no contact policy applies). After each decision the hidden response
 * decides whether the person performs the goal event, some time within `delayMs`; it is sent
 * through ingestion at its time, where the engine credits it and learns. Everything random is
 * drawn from the scenario's seed.
 */
export async function runSimulation(input: {
  scenario: Scenario;
  workspace: WorkspaceDefinition;
  onProgress?: (done: number, total: number) => void;
}): Promise<SimulationResult> {
  const { scenario, workspace } = input;
  const random = seededRandom(`simulate:${scenario.seed}`);
  const clock = fakeClock(scenario.start);
  const store = new SqliteStore({ path: ':memory:' });
  const engine = await Engine.open({ store, clock: clock.now, checkpointIntervalMs: 3_600_000 });
  try {
    const compiled = await engine.applyWorkspace(workspace);
    const workspaceId = compiled.definition.id;
    const placement =
      scenario.placement === undefined ? undefined : compiled.decisions.placements.get(scenario.placement);
    if (scenario.placement !== undefined && placement === undefined)
      throw new TailorError('INVALID_SCENARIO', `The workspace has no placement \`${scenario.placement}\``, [
        { path: '/placement', message: 'names no placement of the workspace' },
      ]);
    const actions =
      placement === undefined
        ? compiled.decisions.actions.map((action) => action.key)
        : placement.variants.map((variant) => variant.key);
    const learners =
      placement === undefined ? actions : actions.map((variant) => variantLearner(placement.key, variant));
    const people = makePeople(scenario, random);
    await ingest(
      engine,
      workspaceId,
      people.map((person) => ({
        call: 'identify',
        body: {
          userId: person.id,
          messageId: `sim-identify-${person.id}`,
          traits: { ...person.traits, email: `${person.id}@simulated.example` },
          context: { consent: person.consent },
          timestamp: new Date(scenario.start).toISOString(),
        },
      })),
      clock.now(),
    );
    const total = scenario.decisions + scenario.evaluate;
    const step = scenario.durationMs / total;
    const pending: PendingGoal[] = [];
    const windowSlots: ContactSlot[] = [];
    const allSlots: ContactSlot[] = [];
    const contacts: MadeContact[] = [];
    const outcomes = { action: 0, no_action: 0, held_out: 0 };
    const explored = { overall: 0, window: 0 };
    let windowGoals = 0;
    let decideNanos = 0n;
    let batch: TailorEvent[] = [];
    let inBatch = new Set<string>();
    const flush = async () => {
      if (batch.length > 0) await engine.ingest(workspaceId, batch);
      batch = [];
      inBatch = new Set();
    };
    for (let k = 0; k < total; k += 1) {
      const now = Math.round(scenario.start + (k + 1) * step);
      const person = people[Math.floor(random() * people.length)] ?? people[0];
      if (person === undefined) break;
      const due = takeDue(pending, now);
      if (inBatch.has(person.id) || due.length > 0) await flush();
      if (due.length > 0) await sendGoals(engine, workspaceId, scenario.goal, due);
      clock.set(now);
      const context = draw(scenario.context, random);
      const situation: Situation = { ...prefixed('traits', person.traits), ...prefixed('context', context) };
      const started = process.hrtime.bigint();
      const profile = await engine.reads.peekProfile(workspaceId, [`user_id:${person.id}`]);
      const result: DecideResult = decideFor({
        workspace: compiled,
        profile,
        request: {
          placements: placement === undefined ? [] : [placement.key],
          actions: placement === undefined,
          context: nest(context),
          trace: false,
        },
        now,
        model: engine.learning.model(workspaceId),
        seed: `sim-${k}`,
      });
      batch.push(...decisionEvents({ result, identity: { userId: person.id }, messageId: `sim-${k}`, now }));
      decideNanos += process.hrtime.bigint() - started;
      inBatch.add(person.id);
      if (batch.length >= BATCH) await flush();
      const decision = chosenOf(result, placement?.key);
      if (decision === undefined) continue;
      outcomes[decision.outcome] += 1;
      const inWindow = k >= scenario.decisions;
      if (decision.explored && decision.outcome === 'action') {
        explored.overall += 1;
        if (inWindow) explored.window += 1;
      }
      const chosen = decision.chosen;
      if (chosen !== NO_ACTION) {
        const slot = { situation, action: chosen };
        allSlots.push(slot);
        if (inWindow) windowSlots.push(slot);
        if (decision.channel !== null)
          contacts.push({ person: person.id, channel: decision.channel, at: now });
      }
      if (random() < responseProbability(scenario, situation, chosen)) {
        pending.push({ at: now + Math.max(1, Math.floor(random() * scenario.delayMs)), person: person.id });
        if (inWindow && chosen !== NO_ACTION) windowGoals += 1;
      }
      input.onProgress?.(k + 1, total);
    }
    await flush();
    await sendGoals(engine, workspaceId, scenario.goal, takeDue(pending, Number.POSITIVE_INFINITY));
    await engine.commit();
    const refusedBy = new Map(people.map((person) => [person.id, person.consent]));
    return {
      decisions: total,
      window: policyRates({ scenario, actions, slots: windowSlots }),
      overall: policyRates({ scenario, actions, slots: allSlots }),
      windowObserved: windowGoals / Math.max(windowSlots.length, 1),
      outcomes,
      explored,
      violations: countViolations({
        contacts,
        caps: compiled.decisions.contactPolicy.caps,
        refused: (person, channel) => refusedBy.get(person)?.[channel] === false,
      }),
      holdout: holdoutReport(engine.learning.state(workspaceId), learners),
      decideMicros: Number(decideNanos / 1000n) / total,
    };
  } finally {
    await engine.close();
  }
}

/**
 * What one decision chose: an action (with its channel) or, for a placement, the variant shown;
 * `none` when nothing was.
 */
function chosenOf(
  result: DecideResult,
  placement: string | undefined,
):
  | {
      outcome: 'action' | 'no_action' | 'held_out';
      chosen: string;
      channel: string | null;
      explored: boolean;
    }
  | undefined {
  if (placement !== undefined) {
    const shown = result.placements[placement];
    const variant = shown?.variant ?? null;
    return {
      outcome: variant === null ? 'no_action' : 'action',
      chosen: variant ?? NO_ACTION,
      channel: null,
      explored: shown?.learning?.explored === true,
    };
  }
  const decision = result.action;
  if (decision === undefined) return undefined;
  const acted = decision.outcome === 'action' && decision.action !== null && decision.channel !== null;
  return {
    outcome: decision.outcome,
    chosen: acted && decision.action !== null ? decision.action : NO_ACTION,
    channel: decision.channel,
    explored: decision.learning?.explored === true,
  };
}

interface Person {
  id: string;
  traits: Record<string, string>;
  consent: Record<string, boolean>;
}

function makePeople(scenario: Scenario, random: () => number): Person[] {
  return Array.from({ length: scenario.people }, (_, i) => {
    const consent: Record<string, boolean> = {};
    for (const [channel, share] of Object.entries(scenario.consent)) consent[channel] = random() < share;
    return { id: `sim-person-${i}`, traits: draw(scenario.traits, random), consent };
  });
}

/** One value per key, drawn by the shares. */
function draw(shares: Record<string, Record<string, number>>, random: () => number): Record<string, string> {
  const drawn: Record<string, string> = {};
  for (const [key, options] of Object.entries(shares)) {
    const entries = Object.entries(options);
    const total = entries.reduce((sum, [, share]) => sum + share, 0);
    let pick = random() * total;
    for (const [value, share] of entries) {
      pick -= share;
      drawn[key] = value;
      if (pick < 0) break;
    }
  }
  return drawn;
}

function prefixed(prefix: string, values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) out[`${prefix}.${key}`] = value;
  return out;
}

/** `{ 'device.type': 'mobile' }` as the request context `{ device: { type: 'mobile' } }`. */
function nest(flat: Record<string, string>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(flat)) {
    const keys = path.split('.');
    let node = root;
    keys.slice(0, -1).forEach((key) => {
      const next = node[key];
      if (isJsonObject(next)) node = next;
      else {
        const created: Record<string, unknown> = {};
        node[key] = created;
        node = created;
      }
    });
    node[keys.at(-1) ?? path] = value;
  }
  return root;
}

function takeDue(pending: PendingGoal[], now: number): PendingGoal[] {
  const due = pending.filter((goal) => goal.at <= now).sort((a, b) => a.at - b.at);
  if (due.length > 0) {
    const kept = pending.filter((goal) => goal.at > now);
    pending.length = 0;
    pending.push(...kept);
  }
  return due;
}

async function sendGoals(
  engine: Engine,
  workspaceId: string,
  goal: string,
  due: PendingGoal[],
): Promise<void> {
  if (due.length === 0) return;
  await ingest(
    engine,
    workspaceId,
    due.map((entry, i) => ({
      call: 'track',
      body: {
        userId: entry.person,
        event: goal,
        messageId: `sim-goal-${entry.person}-${entry.at}-${i}`,
        timestamp: new Date(entry.at).toISOString(),
      },
    })),
    Math.max(...due.map((entry) => entry.at)),
  );
  // The goals' credits (`Goal Reached`) are Tailor's own records, queued while the goals were
  // applied: an event submitted after them is applied after them, so waiting for it makes the
  // next decisions see what was learned, and the run the same every time.
  const last = due.at(-1);
  if (last !== undefined)
    await ingest(
      engine,
      workspaceId,
      [{ call: 'identify', body: { userId: last.person, messageId: `sim-barrier-${last.at}` } }],
      last.at,
    );
}

async function ingest(
  engine: Engine,
  workspaceId: string,
  calls: { call: 'identify' | 'track'; body: Record<string, unknown> }[],
  receivedAt: number,
): Promise<void> {
  const events: TailorEvent[] = [];
  for (const { call, body } of calls) {
    const normalized = normalizeCall({ body, call, receivedAt });
    events.push(...normalized.events);
  }
  for (let i = 0; i < events.length; i += 1_000) await engine.ingest(workspaceId, events.slice(i, i + 1_000));
}
