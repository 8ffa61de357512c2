import {
  DECISION_MADE,
  JOURNEY_ENDED,
  JOURNEY_ENTERED,
  JOURNEY_STEP,
  SEGMENT_ENTERED,
  SEGMENT_EXITED,
} from '../ingest/reserved-events.ts';
import type { JourneyRun, JourneyState, RunOutcome } from '../profile/journey-state.ts';
import type { CompiledJourney, CompiledJourneys, CompiledStep } from './compile-journeys.ts';
import type { JourneysInForce } from './journeys-in-force.ts';
import { nextLocalTime } from './next-local-time.ts';

/**
 * Work a run asks of the caller: deciding (next-best-action) and sending, or setting traits.
 * `entry` is the run's entry number (the journey's history `entries`) and `at` the moment the
 * step ran, so the caller can derive deterministic ids.
 */
export type JourneyEffect =
  | { kind: 'decide'; journey: string; step: string; entry: number; at: number }
  | { kind: 'send'; journey: string; step: string; entry: number; action: string; at: number }
  | { kind: 'update'; journey: string; step: string; traits: Record<string, unknown>; at: number }
  | {
      kind: 'audience';
      journey: string;
      step: string;
      entry: number;
      destination: string;
      op: 'add' | 'remove';
      at: number;
    };

/**
 * An event the journeys derived: a run started (`{ journey }`), a step done (`{ journey, step }`),
 * a run ended (`{ journey, outcome }`, with `reason` when the interpreter ended it: `loop`,
 * `removed` or `changed`).
 */
export interface JourneyChange {
  name: typeof JOURNEY_ENTERED | typeof JOURNEY_STEP | typeof JOURNEY_ENDED;
  properties: Record<string, unknown>;
  /** When it happened (epoch ms). */
  at: number;
}

/** Most steps one run does in one call without waiting: more means a branch cycle, and the run ends. */
export const MAX_RUN_STEPS = 100;
/** Most waits ended in one `advanceTo`: a guard against a definition that never settles. */
const MAX_WAKES = 10_000;

/**
 * What every stepping function reads: the person's journey state, the journeys in force, the
 * condition context branches read, the person's time zone, and where to record.
 */
export interface RunInput {
  state: JourneyState;
  journeys: JourneysInForce;
  context: () => Record<string, unknown>;
  timezone?: string;
  effects: JourneyEffect[];
  changes: JourneyChange[];
}

/**
 * Brings a person's journeys up to date with one event (received or derived) at `at`, in this
 * order: each run in progress, on the definition of the version it started on, ends
 * `converted` when the event is its goal, or goes on with its next step when it was waiting
 * for the event (`wait_for`); then journeys in force that the event triggers start a run when
 * none is active, the journey is not paused and `reentry` allows.
 * `Segment Entered`/`Segment Exited` events carry the segment key in `segment`. Call
 * `advanceTo` up to `at` first, so a time-out due by then wins over the event. `context` gives
 * the condition context branches read (the caller may cache it: effects are applied by the
 * caller, after). Effects and changes are appended to the arrays given. Pure.
 */
export function onEvent(
  input: RunInput & {
    event: { name: string; timestamp: number; segment?: string; action?: string; decidedBy?: string };
    at: number;
  },
): void {
  const { state, journeys, event, at } = input;
  const scope = scopeOf(input);
  for (const key of Object.keys(state.active)) {
    const run = state.active[key];
    const journey = run && runJourney(journeys, key, run);
    if (run === undefined || journey === undefined) continue;
    if (journey.def.goal?.event === event.name) {
      end(scope, key, run, 'converted', at);
      continue;
    }
    if (run.waitingFor !== event.name) continue;
    const step = waitingStep(journey, run);
    if (step?.type !== 'wait_for') {
      end(scope, key, run, 'exited', at, 'changed');
      continue;
    }
    delete run.waitingFor;
    delete run.until;
    done(scope, journey, run, step, at);
    run.step += 1;
    execute(scope, journey, key, run, at);
  }
  if (journeys.current.empty) return;
  for (const journey of triggered(journeys.current, event)) {
    // A journey is never started by a decision it asked for itself: that would loop.
    if (event.decidedBy === journey.key) continue;
    if (journeys.paused.has(journey.key) || !mayEnter(state, journey, at)) continue;
    const previous = state.history[journey.key];
    const entries = (previous?.entries ?? 0) + 1;
    state.history[journey.key] = { ...previous, entries, lastEnteredAt: at };
    const run: JourneyRun = { version: journeys.version, step: 0, enteredAt: at, path: [] };
    const key = journey.def.maxActive === undefined ? journey.key : `${journey.key}#${entries}`;
    state.active[key] = run;
    scope.changes.push({ name: JOURNEY_ENTERED, properties: { journey: journey.key }, at });
    execute(scope, journey, key, run, at);
  }
}

/**
 * The journey a run in progress belongs to, from its key in `JourneyState.active`: the journey
 * key itself, or `<journey>#<entry>` for a journey that lets a person have several runs at once.
 */
export function journeyOfRun(runKey: string): string {
  const hash = runKey.indexOf('#');
  return hash < 0 ? runKey : runKey.slice(0, hash);
}

/** The `trigger` of the decisions a journey step asks for: `journey:<key>:<step>`. */
export function journeyTrigger(journey: string, step: string): string {
  return `journey:${journey}:${step}`;
}

/** The journey and step a decision's `trigger` names, when a journey step asked for it. */
export function readJourneyTrigger(trigger: unknown): { journey: string; step: string } | undefined {
  if (typeof trigger !== 'string') return undefined;
  const [kind, journey, step] = trigger.split(':');
  if (kind !== 'journey' || !journey || step === undefined) return undefined;
  return { journey, step };
}

/** The entry number a run of a journey with several runs at once carries in its key. */
function entryOfRun(runKey: string): number | undefined {
  const hash = runKey.indexOf('#');
  return hash < 0 ? undefined : Number(runKey.slice(hash + 1));
}

/** How many runs of a journey the person has in progress. */
function activeRuns(state: JourneyState, journey: string): number {
  let count = 0;
  for (const key in state.active) if (journeyOfRun(key) === journey) count += 1;
  return count;
}

/**
 * Lets runs of `keys` go on at `at` after the journeys in force changed: a run of a journey no
 * longer in force ends `exited` (reason `removed`), and a run held by a pause that is over
 * goes on from the action it was held at. Pure.
 */
export function releaseRuns(input: RunInput & { keys: ReadonlySet<string>; at: number }): void {
  const { state, journeys, at } = input;
  const scope = scopeOf(input);
  for (const key of Object.keys(state.active)) {
    const run = state.active[key];
    const journeyKey = journeyOfRun(key);
    if (run === undefined || !input.keys.has(journeyKey)) continue;
    const journey = runJourney(journeys, key, run);
    if (journey === undefined) end(scope, key, run, 'exited', at, 'removed');
    else if (run.held === true && !journeys.paused.has(journeyKey)) {
      delete run.held;
      execute(scope, journey, key, run, at);
    }
  }
}

/** Whether the person has a run of one of `keys` that `releaseRuns` would move. */
export function hasRunsToRelease(
  state: JourneyState,
  journeys: JourneysInForce,
  keys: ReadonlySet<string>,
): boolean {
  for (const key in state.active) {
    const journey = journeyOfRun(key);
    if (!keys.has(journey)) continue;
    if (!journeys.current.byKey.has(journey) || state.active[key]?.held === true) return true;
  }
  return false;
}

/**
 * Brings a person's journeys up to `until` with no new event: every run whose `until` is at or
 * before it goes on at its own `until`, earliest first (ties by journey key). A `wait` or
 * `wait_until` goes on with the next step; a `wait_for` timing out goes to its `onTimeout` step
 * or ends `timed_out`. A run of a journey no longer in force ends `exited` (reason
 * `removed`), and one whose step no longer matches what it waits for ends `exited` (reason
 * `changed`). Pure and deterministic.
 */
export function advanceTo(input: RunInput & { until: number }): void {
  const { state, journeys, until } = input;
  const scope = scopeOf(input);
  for (let wake = 0; wake < MAX_WAKES; wake += 1) {
    const due = earliestDue(state, until);
    if (due === undefined) return;
    const { key, run, at } = due;
    const journey = runJourney(journeys, key, run);
    if (journey === undefined) {
      end(scope, key, run, 'exited', at, 'removed');
      continue;
    }
    const step = waitingStep(journey, run);
    if (step === undefined) {
      end(scope, key, run, 'exited', at, 'changed');
      continue;
    }
    delete run.until;
    delete run.waitingFor;
    done(scope, journey, run, step, at);
    if (step.type !== 'wait_for') run.step += 1;
    else if (step.onTimeout !== undefined) run.step = step.onTimeout;
    else {
      end(scope, key, run, 'timed_out', at);
      continue;
    }
    execute(scope, journey, key, run, at);
  }
}

/** The earliest moment a run of the person waits until, or undefined when none waits. */
export function nextJourneyDue(state: JourneyState): number | undefined {
  let due: number | undefined;
  for (const key in state.active) {
    const until = state.active[key]?.until;
    if (until !== undefined && (due === undefined || until < due)) due = until;
  }
  return due;
}

function scopeOf(input: RunInput): RunInput {
  const { state, journeys, context, timezone, effects, changes } = input;
  return { state, journeys, context, ...(timezone === undefined ? {} : { timezone }), effects, changes };
}

/**
 * The definition a run goes on with: the one of the version it started on, or undefined when
 * the journey is no longer in force (removed). A run from before versions were kept reads the
 * current definition.
 */
function runJourney(journeys: JourneysInForce, runKey: string, run: JourneyRun): CompiledJourney | undefined {
  const key = journeyOfRun(runKey);
  const current = journeys.current.byKey.get(key);
  if (current === undefined) return undefined;
  return journeys.pinned(run.version)?.byKey.get(key) ?? current;
}

/**
 * The journeys an event starts: by its name, for segment events by the segment key, and for a
 * decision that chose an action by the action key.
 */
function triggered(
  compiled: CompiledJourneys,
  event: { name: string; segment?: string; action?: string },
): readonly CompiledJourney[] {
  const named = compiled.byEvent.get(event.name) ?? [];
  const { segment, action } = event;
  if (action !== undefined && event.name === DECISION_MADE) {
    const byDecision = compiled.byDecision.get(action);
    if (byDecision !== undefined) return named.length === 0 ? byDecision : [...named, ...byDecision];
  }
  if (segment === undefined) return named;
  const bySegment =
    event.name === SEGMENT_ENTERED
      ? compiled.bySegmentEntered.get(segment)
      : event.name === SEGMENT_EXITED
        ? compiled.bySegmentExited.get(segment)
        : undefined;
  if (bySegment === undefined) return named;
  return named.length === 0 ? bySegment : [...named, ...bySegment];
}

/** Whether the journey's `reentry` lets the person start a run at `at`. */
function mayEnter(state: JourneyState, journey: CompiledJourney, at: number): boolean {
  const history = state.history[journey.key];
  if (history === undefined) return true;
  if (activeRuns(state, journey.key) >= (journey.def.maxActive ?? 1)) return false;
  const { reentry } = journey.def;
  if (reentry.kind === 'always') return true;
  if (reentry.kind === 'after') return at - history.lastEnteredAt >= reentry.ms;
  return false;
}

/** The run with the earliest `until` at or before `limit` (ties by journey key). */
function earliestDue(
  state: JourneyState,
  limit: number,
): { key: string; run: JourneyRun; at: number } | undefined {
  let found: { key: string; run: JourneyRun; at: number } | undefined;
  for (const key in state.active) {
    const run = state.active[key];
    const at = run?.until;
    if (run === undefined || at === undefined || at > limit) continue;
    if (found === undefined || at < found.at || (at === found.at && key < found.key))
      found = { key, run, at };
  }
  return found;
}

/** The wait step the run is at, or undefined when the definition no longer has it there. */
function waitingStep(journey: CompiledJourney, run: JourneyRun): CompiledStep | undefined {
  const step = journey.steps[run.step];
  if (step === undefined) return undefined;
  if (step.type === 'wait_for') return run.waitingFor === step.event ? step : undefined;
  if (step.type === 'wait' || step.type === 'wait_until')
    return run.waitingFor === undefined ? step : undefined;
  return undefined;
}

/**
 * Runs from the run's current step at `at` until it waits or ends. A wait step only sets what
 * the run waits for; it is done when the wait ends.
 */
function execute(
  scope: RunInput,
  journey: CompiledJourney,
  runKey: string,
  run: JourneyRun,
  at: number,
): void {
  const { key } = journey;
  for (let count = 0; ; count += 1) {
    const step = journey.steps[run.step];
    if (step === undefined) {
      end(scope, runKey, run, 'completed', at);
      return;
    }
    switch (step.type) {
      case 'wait':
        reached(scope, key, step);
        run.until = at + step.durationMs;
        return;
      case 'wait_until':
        reached(scope, key, step);
        run.until = nextLocalTime(at, step.minutes, scope.timezone);
        return;
      case 'wait_for':
        reached(scope, key, step);
        run.waitingFor = step.event;
        run.until = at + step.timeoutMs;
        return;
    }
    if (count >= MAX_RUN_STEPS) {
      end(scope, runKey, run, 'exited', at, 'loop');
      return;
    }
    if (scope.journeys.paused.has(key) && isAction(step)) {
      run.held = true;
      return;
    }
    done(scope, journey, run, step, at);
    const entry = entryOfRun(runKey) ?? scope.state.history[key]?.entries ?? 1;
    switch (step.type) {
      case 'branch':
        run.step = step.when(scope.context(), at) ? step.onTrue : step.onFalse;
        break;
      case 'decide':
        scope.effects.push({ kind: 'decide', journey: key, step: step.key, entry, at });
        run.step += 1;
        break;
      case 'send':
        scope.effects.push({ kind: 'send', journey: key, step: step.key, entry, action: step.action, at });
        run.step += 1;
        break;
      case 'update':
        scope.effects.push({ kind: 'update', journey: key, step: step.key, traits: { ...step.traits }, at });
        run.step += 1;
        break;
      case 'audience':
        scope.effects.push({
          kind: 'audience',
          journey: key,
          step: step.key,
          entry,
          destination: step.destination,
          op: step.op,
          at,
        });
        run.step += 1;
        break;
      case 'exit':
        end(scope, runKey, run, 'exited', at);
        return;
    }
  }
}

/** Whether a step waits (for a time or an event). */
function isWait(step: CompiledStep): boolean {
  return step.type === 'wait' || step.type === 'wait_until' || step.type === 'wait_for';
}

/** Counts a run reaching a step in the person's history: a wait when it starts, any other step when done. */
function reached(scope: RunInput, key: string, step: CompiledStep): void {
  const history = scope.state.history[key];
  if (history === undefined) return;
  history.steps ??= {};
  history.steps[step.key] = (history.steps[step.key] ?? 0) + 1;
}

/** Whether a step acts on the person (asks for a decision, sends, sets traits, changes a list): what a pause holds. */
function isAction(step: CompiledStep): boolean {
  return step.type === 'decide' || step.type === 'send' || step.type === 'update' || step.type === 'audience';
}

function done(
  scope: RunInput,
  journey: CompiledJourney,
  run: JourneyRun,
  step: CompiledStep,
  at: number,
): void {
  run.path.push(step.key);
  if (!isWait(step)) reached(scope, journey.key, step);
  scope.changes.push({ name: JOURNEY_STEP, properties: { journey: journey.key, step: step.key }, at });
}

function end(
  scope: RunInput,
  runKey: string,
  run: JourneyRun,
  outcome: RunOutcome,
  at: number,
  reason?: 'loop' | 'removed' | 'changed',
): void {
  const { state } = scope;
  delete state.active[runKey];
  const key = journeyOfRun(runKey);
  const history = state.history[key] ?? { entries: 1, lastEnteredAt: run.enteredAt };
  state.history[key] = history;
  history.lastOutcome = outcome;
  const journey = scope.journeys.pinned(run.version)?.byKey.get(key) ?? scope.journeys.current.byKey.get(key);
  const step = journey?.steps[run.step]?.key ?? run.path.at(-1) ?? '';
  history.ended ??= {};
  const atStep = history.ended[step] ?? {};
  history.ended[step] = atStep;
  atStep[outcome] = (atStep[outcome] ?? 0) + 1;
  const properties: Record<string, unknown> = { journey: key, outcome };
  if (reason !== undefined) properties['reason'] = reason;
  scope.changes.push({ name: JOURNEY_ENDED, properties, at });
}
