/** One person's run of one journey, in progress. Plain JSON, stored with the profile. */
export interface JourneyRun {
  /** The journeys version the run started on: a changed journey keeps runs in flight on theirs. */
  version: number;
  /** Index of the step the run is at. */
  step: number;
  enteredAt: number;
  /** The run is waiting until this moment (a `wait`, `wait_until` or a `wait_for` time-out). */
  until?: number;
  /** The run is waiting for this event (`wait_for`). */
  waitingFor?: string;
  /** Keys of the steps done, in order. */
  path: string[];
  /** The journey was paused when the run reached an action (decide, send, update): it waits there for the resume. */
  held?: true;
}

/** How a run ended. */
export type RunOutcome = 'completed' | 'converted' | 'exited' | 'timed_out';

/** A person's history with one journey: how often they entered, when last, how their runs ended, and the steps they did. */
export interface JourneyHistory {
  entries: number;
  lastEnteredAt: number;
  lastOutcome?: RunOutcome;
  /** Runs ended, by outcome. */
  outcomes?: Partial<Record<RunOutcome, number>>;
  /** Times each step was done, over every run, by step key. */
  steps?: Record<string, number>;
}

/** The journeys side of a profile (owned by src/journey): runs in progress and history, by journey key. */
export interface JourneyState {
  active: Record<string, JourneyRun>;
  history: Record<string, JourneyHistory>;
}
