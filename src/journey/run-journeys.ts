import type { JourneyState } from '../profile/journey-state.ts';
import type { ProfileState } from '../profile/profile.ts';
import type { JourneysInForce } from './journeys-in-force.ts';
import {
  advanceTo,
  type JourneyChange,
  type JourneyEffect,
  onEvent,
  type RunInput,
  releaseRuns,
} from './step-journeys.ts';

/** What journeys read of a workspace: the journeys in force where the log is. */
export interface JourneyWorkspace {
  readonly journeys: JourneysInForce;
}

/**
 * Something that happened to a profile that journeys may react to: an event, a segment entry
 * or exit (`segment`), or a decision that chose an action (`action`).
 */
export interface JourneyInput {
  name: string;
  timestamp: number;
  segment?: string;
  action?: string;
  /** For a decision a journey asked for (`trigger: journey:<key>:<step>`): that journey's key. */
  decidedBy?: string;
}

/** Where journey work goes: changes for the timeline, effects (sends, updates) for the caller. */
export interface JourneyOutput {
  changes: JourneyChange[];
  effects: JourneyEffect[];
}

/**
 * Lets the profile's journeys react to what just happened at `at` — goals end runs, awaited
 * events move them on, triggers start them — after bringing their waits up to `at`. `update`
 * effects are applied to the profile's traits here (at `at`); sends are left in `out.effects`
 * for the engine. The profile context is built only if a branch needs it.
 */
export function journeysOnEvents(input: {
  profile: ProfileState;
  workspace: JourneyWorkspace;
  inputs: readonly JourneyInput[];
  at: number;
  context: () => Record<string, unknown>;
  out: JourneyOutput;
}): void {
  const { profile, workspace, at, out } = input;
  if (workspace.journeys.current.empty && profile.journeys === undefined) return;
  const state = journeyState(profile);
  const timezone = profile.lastTouch?.timezone;
  const effects: JourneyEffect[] = [];
  advanceTo({ ...common(state, workspace, input.context, timezone, effects, out), until: at });
  for (const event of input.inputs)
    onEvent({ ...common(state, workspace, input.context, timezone, effects, out), event, at });
  applyEffects(profile, effects, out);
}

/** Brings the profile's journey waits up to `until`, each at its own time. */
export function journeysAdvance(input: {
  profile: ProfileState;
  workspace: JourneyWorkspace;
  until: number;
  context: () => Record<string, unknown>;
  out: JourneyOutput;
}): void {
  withRuns(input, (scope) => advanceTo({ ...scope, until: input.until }));
}

/** Lets the profile's runs of `keys` go on at `at` (a pause ended) or end (the journey was removed). */
export function journeysRelease(input: {
  profile: ProfileState;
  workspace: JourneyWorkspace;
  keys: ReadonlySet<string>;
  at: number;
  context: () => Record<string, unknown>;
  out: JourneyOutput;
}): void {
  withRuns(input, (scope) => releaseRuns({ ...scope, keys: input.keys, at: input.at }));
}

/** Runs `step` on the runs the profile has (none: nothing to do), then applies its effects. */
function withRuns(
  input: {
    profile: ProfileState;
    workspace: JourneyWorkspace;
    context: () => Record<string, unknown>;
    out: JourneyOutput;
  },
  step: (scope: RunInput) => void,
): void {
  const { profile, workspace, out } = input;
  if (profile.journeys === undefined) return;
  const effects: JourneyEffect[] = [];
  step(common(profile.journeys, workspace, input.context, profile.lastTouch?.timezone, effects, out));
  applyEffects(profile, effects, out);
}

function journeyState(profile: ProfileState): JourneyState {
  profile.journeys ??= { active: {}, history: {} };
  return profile.journeys;
}

function common(
  state: JourneyState,
  workspace: JourneyWorkspace,
  context: () => Record<string, unknown>,
  timezone: string | undefined,
  effects: JourneyEffect[],
  out: JourneyOutput,
): RunInput {
  return {
    state,
    journeys: workspace.journeys,
    context,
    ...(timezone === undefined ? {} : { timezone }),
    effects,
    changes: out.changes,
  };
}

/** Applies `update` effects to the profile's traits (never overwriting a newer value); passes the rest on. */
function applyEffects(profile: ProfileState, effects: readonly JourneyEffect[], out: JourneyOutput): void {
  for (const effect of effects) {
    if (effect.kind !== 'update') {
      out.effects.push(effect);
      continue;
    }
    for (const [key, value] of Object.entries(effect.traits)) {
      const current = profile.traits[key];
      if (current === undefined || effect.at >= current.at) profile.traits[key] = { value, at: effect.at };
    }
  }
}
