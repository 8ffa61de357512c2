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
  /**
   * Runs ended, by the step they were at (waiting at, or the last one done when they ran past
   * the end), then by outcome.
   */
  ended?: Record<string, Partial<Record<RunOutcome, number>>>;
  /** Times runs reached each step (a wait when it started, any other step when done), by step key. */
  steps?: Record<string, number>;
}

/** The journeys side of a profile (owned by src/journey): runs in progress and history, by journey key. */
export interface JourneyState {
  active: Record<string, JourneyRun>;
  history: Record<string, JourneyHistory>;
}
