import type { JourneyHistory, JourneyRun, JourneyState, RunOutcome } from '../profile/journey-state.ts';
import type { JourneyDef } from './journey-def.ts';
import { journeyOfRun, readJourneyTrigger } from './step-journeys.ts';

/** Outcome counts: completed, converted, exited, timed_out. */
export type OutcomeCounts = Partial<Record<RunOutcome, number>>;

/** How many runs reached one step, are at it now, ended there, and how many messages it sent. */
export interface StepCounts {
  key: string;
  type: string;
  /** Runs that reached the step (a wait counts when it starts; an action held by a pause counts too). */
  entered: number;
  /** Runs at the step now: waiting at a wait, or held before an action by a pause. */
  waiting: number;
  /** Messages its decisions sent (accepted by the provider). */
  sent: number;
  /** Runs that ended at the step (waiting at it, or after it as the last step done), by outcome. */
  ended: OutcomeCounts;
}

/** A journey's counts over every person of the workspace. */
export interface JourneyCounts {
  key: string;
  name: string | null;
  paused: boolean;
  /** Runs started, over all time (re-entries count again). */
  entered: number;
  /** Runs in progress. */
  active: number;
  /** Runs ended, by outcome: completed, converted, exited, timed_out. */
  ended: OutcomeCounts;
  steps: StepCounts[];
}

/**
 * Adds up journey counts from people's journey states, one at a time (the caller pages through
 * the profiles), and from the outbox's sends by step. `stepOf` names the step a run is at, read
 * on the version the run started on.
 */
export class JourneyTally {
  private readonly counts = new Map<string, JourneyCounts>();
  private readonly stepOf: (key: string, run: JourneyRun) => string | undefined;

  constructor(input: {
    defs: readonly JourneyDef[];
    paused: ReadonlySet<string>;
    stepOf: (key: string, run: JourneyRun) => string | undefined;
  }) {
    this.stepOf = input.stepOf;
    for (const def of input.defs)
      this.counts.set(def.key, {
        key: def.key,
        name: def.name ?? null,
        paused: input.paused.has(def.key),
        entered: 0,
        active: 0,
        ended: {},
        steps: def.steps.map((step) => ({
          key: step.key,
          type: step.type,
          entered: 0,
          waiting: 0,
          sent: 0,
          ended: {},
        })),
      });
  }

  /** Adds one person's journey state. */
  add(state: JourneyState): void {
    for (const [key, journey] of this.counts) {
      const history = state.history[key];
      if (history !== undefined) {
        journey.entered += history.entries;
        for (const [step, outcomes] of Object.entries(history.ended ?? {})) {
          addOutcomes(journey.ended, outcomes);
          const counts = stepNamed(journey, step);
          if (counts !== undefined) addOutcomes(counts.ended, outcomes);
        }
        if (history.ended === undefined && history.lastOutcome !== undefined)
          addOutcomes(journey.ended, { [history.lastOutcome]: 1 });
        for (const [step, count] of Object.entries(history.steps ?? {})) {
          const counts = stepNamed(journey, step);
          if (counts !== undefined) counts.entered += count;
        }
      }
    }
    for (const [runKey, run] of Object.entries(state.active)) {
      const key = journeyOfRun(runKey);
      const journey = this.counts.get(key);
      if (journey === undefined) continue;
      journey.active += 1;
      const at = this.stepOf(key, run);
      const counts = at === undefined ? undefined : stepNamed(journey, at);
      if (counts === undefined) continue;
      counts.waiting += 1;
      if (run.held === true) counts.entered += 1;
    }
  }

  /** Adds the outbox's sent messages, by `journey:<key>:<step>` trigger. */
  addSends(rows: readonly { trigger: string; status: string; count: number }[]): void {
    for (const row of rows) {
      const from = row.status === 'sent' ? readJourneyTrigger(row.trigger) : undefined;
      if (from === undefined) continue;
      const journey = this.counts.get(from.journey);
      const counts = journey && stepNamed(journey, from.step);
      if (counts !== undefined) counts.sent += row.count;
    }
  }

  /** The counts, in the order of the definitions. */
  result(): JourneyCounts[] {
    return [...this.counts.values()];
  }
}

/** A person's runs of one journey ended, by outcome, over all the steps they ended at. */
export function endedOutcomes(history: JourneyHistory): OutcomeCounts {
  const total: OutcomeCounts = {};
  for (const outcomes of Object.values(history.ended ?? {})) addOutcomes(total, outcomes);
  return total;
}

function addOutcomes(into: OutcomeCounts, outcomes: OutcomeCounts): void {
  for (const [outcome, count] of Object.entries(outcomes) as [RunOutcome, number][])
    into[outcome] = (into[outcome] ?? 0) + count;
}

function stepNamed(journey: JourneyCounts, key: string): StepCounts | undefined {
  return journey.steps.find((step) => step.key === key);
}
