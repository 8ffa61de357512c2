import type { JourneyDef } from './journey-def.ts';
import type { JourneyRun, JourneyState, RunOutcome } from './journey-state.ts';

/** How many runs reached one step, are at it now, and how many messages it sent. */
export interface StepCounts {
  key: string;
  type: string;
  /** Runs that reached the step: those that did it, plus those at it now. */
  entered: number;
  /** Runs at the step now: waiting at a wait, or held before an action by a pause. */
  waiting: number;
  /** Messages its decisions sent (accepted by the provider). */
  sent: number;
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
  ended: Partial<Record<RunOutcome, number>>;
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
        steps: def.steps.map((step) => ({ key: step.key, type: step.type, entered: 0, waiting: 0, sent: 0 })),
      });
  }

  /** Adds one person's journey state. */
  add(state: JourneyState): void {
    for (const [key, journey] of this.counts) {
      const history = state.history[key];
      if (history !== undefined) {
        journey.entered += history.entries;
        const outcomes = history.outcomes ?? (history.lastOutcome ? { [history.lastOutcome]: 1 } : {});
        for (const [outcome, count] of Object.entries(outcomes) as [RunOutcome, number][])
          journey.ended[outcome] = (journey.ended[outcome] ?? 0) + count;
        for (const [step, count] of Object.entries(history.steps ?? {})) {
          const counts = stepNamed(journey, step);
          if (counts !== undefined) counts.entered += count;
        }
      }
      const run = state.active[key];
      if (run === undefined) continue;
      journey.active += 1;
      const at = this.stepOf(key, run);
      const counts = at === undefined ? undefined : stepNamed(journey, at);
      if (counts === undefined) continue;
      counts.waiting += 1;
      counts.entered += 1;
    }
  }

  /** Adds the outbox's sent messages, by `journey:<key>:<step>` trigger. */
  addSends(rows: readonly { trigger: string; status: string; count: number }[]): void {
    for (const row of rows) {
      if (row.status !== 'sent') continue;
      const [kind, key, step] = row.trigger.split(':');
      if (kind !== 'journey' || key === undefined || step === undefined) continue;
      const journey = this.counts.get(key);
      const counts = journey && stepNamed(journey, step);
      if (counts !== undefined) counts.sent += row.count;
    }
  }

  /** The counts, in the order of the definitions. */
  result(): JourneyCounts[] {
    return [...this.counts.values()];
  }
}

function stepNamed(journey: JourneyCounts, key: string): StepCounts | undefined {
  return journey.steps.find((step) => step.key === key);
}
