import type { ProfileState } from '../profile/profile.ts';
import type { CompiledJourneys } from './compile-journeys.ts';
import type { JourneyState } from './journey-state.ts';
import { advanceTo, type JourneyChange, type JourneyEffect, onEvent } from './step-journeys.ts';

/** What journeys read of a compiled workspace. */
export interface JourneyWorkspace {
  readonly journeys: CompiledJourneys;
  readonly version: number;
}

/** Something that happened to a profile that journeys may react to: an event, or a segment entry or exit. */
export interface JourneyInput {
  name: string;
  timestamp: number;
  segment?: string;
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
  if (workspace.journeys.empty && profile.journeys === undefined) return;
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
  const { profile, workspace, out } = input;
  if (profile.journeys === undefined) return;
  const effects: JourneyEffect[] = [];
  const timezone = profile.lastTouch?.timezone;
  advanceTo({
    ...common(profile.journeys, workspace, input.context, timezone, effects, out),
    until: input.until,
  });
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
) {
  return {
    state,
    compiled: workspace.journeys,
    version: workspace.version,
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
