import type { TailorEvent } from '../ingest/event.ts';
import { DECISION_MADE, SEGMENT_ENTERED, SEGMENT_EXITED, STAGE_CHANGED } from '../ingest/reserved-events.ts';
import type { CompiledScores } from '../intent/compile-scores.ts';
import { lifecycleStage } from '../intent/lifecycle.ts';
import {
  type JourneyInput,
  type JourneyWorkspace,
  journeysOnEvents,
  journeysRelease,
} from '../journey/run-journeys.ts';
import type { JourneyChange, JourneyEffect } from '../journey/step-journeys.ts';
import { readJourneyTrigger } from '../journey/step-journeys.ts';
import type { AudienceState } from '../profile/audience-state.ts';
import type { CompiledComputedTraits } from '../profile/computed/compile-computed-traits.ts';
import type { ProfileState } from '../profile/profile.ts';
import { profileContext } from '../profile/profile-context.ts';
import {
  type AudienceTarget,
  type ChangeKey,
  type CompiledAudience,
  LIFECYCLE_TARGET,
} from './compile-audience.ts';
import type { CompiledDetector } from './compile-detectors.ts';
import { nextDue } from './next-due.ts';

/** What the audience reads of a compiled workspace. */
export interface AudienceWorkspace extends JourneyWorkspace {
  readonly audience: CompiledAudience;
  readonly computed: CompiledComputedTraits;
  readonly scores: CompiledScores;
}

/** Whether a workspace keeps nothing over time for this profile: no audience, no journeys, no runs. */
function idle(workspace: AudienceWorkspace, profile: ProfileState): boolean {
  return workspace.audience.empty && workspace.journeys.current.empty && profile.journeys === undefined;
}

/** Journeys react to the events and the entries, exits and risks the audience just derived. */
function journeyInputs(changes: readonly AudienceChange[], event?: TailorEvent): JourneyInput[] {
  const inputs: JourneyInput[] = [];
  const name = event === undefined ? undefined : event.type === 'track' ? event.event : event.name;
  if (event !== undefined && name !== undefined) {
    const { action, outcome, trigger } = event.properties;
    const decided = name === DECISION_MADE && outcome === 'action' && typeof action === 'string';
    const byJourney = name === DECISION_MADE ? readJourneyTrigger(trigger)?.journey : undefined;
    inputs.push({
      name,
      timestamp: event.timestamp,
      ...(decided ? { action } : {}),
      ...(byJourney === undefined ? {} : { decidedBy: byJourney }),
    });
  }
  for (const change of changes) {
    const segment = change.properties['segment'];
    inputs.push({
      name: change.name,
      timestamp: change.at,
      ...(typeof segment === 'string' ? { segment } : {}),
    });
  }
  return inputs;
}

/** An event the audience derived: a segment entry or exit, a stage change, a risk set. */
export interface AudienceChange {
  name: string;
  properties: Record<string, unknown>;
  /** When it happened (epoch ms): the evaluation time, or a detector's due time. */
  at: number;
}

/** Most due moments processed in one advance: a guard against a definition that never settles. */
const MAX_STEPS = 10_000;

/**
 * Brings a profile's audience up to `until` with no new event: every due moment at or before it
 * (a detector's wait ending, a window running out, a score decaying past a threshold) is
 * processed at its own time, in order. Changes are appended to `out`. Pure and deterministic:
 * replaying the same events and timer records gives the same changes.
 */
export function advanceAudience(input: {
  profile: ProfileState;
  workspace: AudienceWorkspace;
  until: number;
  out: AudienceChange[];
  /** Journey sends to make; journey trait updates are applied to the profile. */
  effects?: JourneyEffect[];
}): void {
  const { profile, workspace, until, out } = input;
  const state = profile.audience;
  if (state === undefined || idle(workspace, profile)) return;
  for (let step = 0; state.due !== undefined && state.due <= until && step < MAX_STEPS; step += 1) {
    const t = Math.max(state.due, state.at);
    const from = out.length;
    const changed = new Set<ChangeKey>();
    for (const detector of workspace.audience.detectors.all) {
      const pending = state.pending[detector.key];
      if (pending === undefined || pending.due > t) continue;
      delete state.pending[detector.key];
      state.risks[detector.key] = { at: pending.due, since: pending.since };
      out.push({
        name: detector.emit,
        properties: { risk: detector.key, started_at: new Date(pending.since).toISOString() },
        at: pending.due,
      });
      changed.add('risks');
    }
    const targets = timedTargets(workspace.audience, profile);
    evaluate({ profile, state, workspace, targets, changed, t, out });
    runJourneys({
      profile,
      workspace,
      inputs: () => journeyInputs(out.slice(from)),
      t,
      out,
      effects: input.effects,
    });
    state.at = t;
    setDue(state, nextDue({ profile, workspace, t }));
  }
}

/** Runs the profile's journeys at `t` on `inputs`, adding their changes to `out`. */
function runJourneys(input: {
  profile: ProfileState;
  workspace: AudienceWorkspace;
  /** What the journeys react to, read only when the profile has journeys to run. */
  inputs: () => JourneyInput[];
  t: number;
  out: AudienceChange[];
  effects: JourneyEffect[] | undefined;
}): void {
  const { profile, workspace, t } = input;
  if (workspace.journeys.current.empty && profile.journeys === undefined) return;
  const changes: JourneyChange[] = [];
  journeysOnEvents({
    profile,
    workspace,
    inputs: input.inputs(),
    at: t,
    context: () =>
      profileContext({ profile, compiled: workspace.computed, now: t, scores: workspace.scores }),
    out: { changes, effects: input.effects ?? [] },
  });
  input.out.push(...changes);
}

/**
 * Updates a profile's audience after an event was applied to it (traits, computed traits and
 * scores already hold it): detectors start, complete or clear on it, then the lifecycle stage
 * and the segments the event can affect are evaluated at the event's time (never before the
 * last evaluation), and the next due moment is set. Call `advanceAudience` up to the event's
 * time first.
 */
export function updateAudience(input: {
  profile: ProfileState;
  workspace: AudienceWorkspace;
  event: TailorEvent;
  /** The event added identifiers to the profile or merged profiles into it. */
  identifiersChanged: boolean;
  /** Profiles were merged into this one: every target is evaluated. */
  merged: boolean;
  out: AudienceChange[];
  /** Journey sends to make; journey trait updates are applied to the profile. */
  effects?: JourneyEffect[];
}): void {
  const { profile, workspace, event, out } = input;
  const { audience } = workspace;
  if (idle(workspace, profile)) return;
  const created = profile.audience === undefined;
  const state = audienceOf(profile, event.timestamp);
  const t = Math.max(event.timestamp, state.at);
  const changed = new Set<ChangeKey>();
  const detectors = detectorsFor(audience, event);
  for (const detector of detectors) runDetector({ detector, state, profile, workspace, event, changed });
  const targets = input.merged ? allTargets(audience) : targetsFor(audience, event, input.identifiersChanged);
  if (created) targets.push(...audience.onNewProfile);
  const from = out.length;
  evaluate({ profile, state, workspace, targets, changed, t, out });
  runJourneys({
    profile,
    workspace,
    inputs: () => journeyInputs(out.slice(from), event),
    t,
    out,
    effects: input.effects,
  });
  state.at = t;
  setDue(state, nextDue({ profile, workspace, t }));
}

/**
 * Lets the profile's runs of `keys` go on at `at` after the journeys in force changed there (a
 * pause ended, a journey was removed), once its audience is brought up to `at`; their changes
 * are appended to `out`, and the next due moment is set.
 */
export function releaseJourneys(input: {
  profile: ProfileState;
  workspace: AudienceWorkspace;
  keys: ReadonlySet<string>;
  at: number;
  out: AudienceChange[];
  effects: JourneyEffect[];
}): void {
  const { profile, workspace, keys, out, effects } = input;
  if (profile.journeys === undefined) return;
  advanceAudience({ profile, workspace, until: input.at, out, effects });
  const state = audienceOf(profile, input.at);
  const t = Math.max(input.at, state.at);
  const changes: JourneyChange[] = [];
  journeysRelease({
    profile,
    workspace,
    keys,
    at: t,
    context: () =>
      profileContext({ profile, compiled: workspace.computed, now: t, scores: workspace.scores }),
    out: { changes, effects },
  });
  out.push(...changes);
  state.at = t;
  setDue(state, nextDue({ profile, workspace, t }));
}

/** The timed targets a due moment can change for this profile: those reading time inputs it holds. */
function timedTargets(audience: CompiledAudience, profile: ProfileState): AudienceTarget[] {
  const { byTrait, byScore, byAge } = audience.timed;
  const targets: AudienceTarget[] = [...byAge];
  if (byTrait.size > 0)
    for (const key in profile.computed) for (const target of byTrait.get(key) ?? []) targets.push(target);
  if (byScore.size > 0)
    for (const key in profile.scores) for (const target of byScore.get(key) ?? []) targets.push(target);
  return targets;
}

/** The profile's audience state, created empty at `at` when missing. */
export function audienceOf(profile: ProfileState, at: number): AudienceState {
  profile.audience ??= { segments: {}, risks: {}, stage: null, pending: {}, at };
  return profile.audience;
}

function setDue(state: AudienceState, due: number | undefined): void {
  if (due === undefined) delete state.due;
  else state.due = due;
}

function detectorsFor(audience: CompiledAudience, event: TailorEvent): readonly CompiledDetector[] {
  const { anyEvent, byName } = audience.detectors;
  const named = event.type === 'track' && event.event !== undefined ? byName.get(event.event) : undefined;
  if (named === undefined) return anyEvent;
  return anyEvent.length === 0 ? named : [...anyEvent, ...named];
}

/** One detector on one event: a completing event clears the wait and the risk; a starting one (re)starts the wait. */
function runDetector(input: {
  detector: CompiledDetector;
  state: AudienceState;
  profile: ProfileState;
  workspace: AudienceWorkspace;
  event: TailorEvent;
  changed: Set<ChangeKey>;
}): void {
  const { detector, state, event } = input;
  const name = event.type === 'track' ? event.event : undefined;
  const completes = detector.unless === undefined || (name !== undefined && detector.unless.has(name));
  const starts = detector.after === undefined || (name !== undefined && detector.after === name);
  const at = event.timestamp;
  if (completes) {
    const pending = state.pending[detector.key];
    if (pending !== undefined && at >= pending.since) delete state.pending[detector.key];
    const risk = state.risks[detector.key];
    if (risk !== undefined && at >= risk.since) {
      delete state.risks[detector.key];
      input.changed.add('risks');
    }
  }
  if (!starts || !startCondition(input)) return;
  const pending = state.pending[detector.key];
  if (pending === undefined || at >= pending.since)
    state.pending[detector.key] = { since: at, due: at + detector.withinMs };
}

function startCondition(input: {
  detector: CompiledDetector;
  profile: ProfileState;
  workspace: AudienceWorkspace;
  event: TailorEvent;
}): boolean {
  const { detector, profile, workspace, event } = input;
  if (detector.where === undefined) return true;
  const context = {
    ...profileContext({
      profile,
      compiled: workspace.computed,
      now: event.timestamp,
      scores: workspace.scores,
    }),
    event,
    properties: event.properties,
    context: event.context,
  };
  return detector.where(context, event.timestamp);
}

function allTargets(audience: CompiledAudience): AudienceTarget[] {
  const targets: AudienceTarget[] = [...audience.segments];
  if (audience.lifecycle.stages.length > 0) targets.unshift(LIFECYCLE_TARGET);
  return targets;
}

/** The targets an event can affect, through the index and the kinds of profile data it changes. */
function targetsFor(
  audience: CompiledAudience,
  event: TailorEvent,
  identifiersChanged: boolean,
): AudienceTarget[] {
  const targets: AudienceTarget[] = [];
  const add = (list: readonly AudienceTarget[] | undefined): void => {
    if (list !== undefined) for (const target of list) targets.push(target);
  };
  add(audience.byEvent.unnamed.get(event.type));
  const name = event.type === 'track' ? event.event : event.name;
  if (name !== undefined) add(audience.byEvent.named.get(event.type)?.get(name));
  add(audience.onAnyEvent);
  if (event.type === 'identify' || hasKeys(event.context['traits'])) add(audience.onTraits);
  if (hasKeys(event.context['consent']) || (event.type === 'track' && /subscribed$/i.test(event.event ?? '')))
    add(audience.onConsent);
  if (identifiersChanged) add(audience.onIdentifiers);
  return targets;
}

function hasKeys(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  for (const _ in value) return true;
  return false;
}

/**
 * Evaluates targets at `t` in dependency order: the lifecycle stage first, then segments, each
 * after the segments it reads; a change to a stage, risk or membership adds the segments that
 * read it. The profile context is built once, on first need.
 */
function evaluate(input: {
  profile: ProfileState;
  state: AudienceState;
  workspace: AudienceWorkspace;
  targets: readonly AudienceTarget[];
  changed: Set<ChangeKey>;
  t: number;
  out: AudienceChange[];
}): void {
  const { profile, state, workspace, changed, t, out } = input;
  const { audience } = workspace;
  const queue: AudienceTarget[] = [...input.targets];
  for (const key of changed)
    for (const dependent of audience.dependents.get(key) ?? []) queue.push(dependent);
  if (queue.length === 0) return;
  queue.sort((a, b) => a.order - b.order);
  let context: Record<string, unknown> | undefined;
  const read = (): Record<string, unknown> => {
    context ??= profileContext({ profile, compiled: workspace.computed, now: t, scores: workspace.scores });
    return context;
  };
  const behaviour = audience.behaviour.source(profile.computed);
  const done = new Set<AudienceTarget>();
  for (let i = 0; i < queue.length; i += 1) {
    const target = queue[i] as AudienceTarget;
    if (done.has(target)) continue;
    done.add(target);
    let change: ChangeKey | undefined;
    if (target.kind === 'lifecycle') {
      const stage = lifecycleStage({ compiled: audience.lifecycle, context: read(), now: t });
      if (stage === state.stage) continue;
      out.push({ name: STAGE_CHANGED, properties: { from: state.stage, to: stage }, at: t });
      state.stage = stage;
      read()['lifecycle_stage'] = stage;
      change = 'lifecycle_stage';
    } else {
      const member = target.when(read(), t, behaviour);
      const entered = state.segments[target.key];
      if (member === (entered !== undefined)) continue;
      if (member) {
        state.segments[target.key] = t;
        out.push({ name: SEGMENT_ENTERED, properties: { segment: target.key }, at: t });
      } else {
        delete state.segments[target.key];
        out.push({
          name: SEGMENT_EXITED,
          properties: { segment: target.key, entered_at: new Date(entered ?? t).toISOString() },
          at: t,
        });
      }
      change = `segments.${target.key}`;
    }
    const dependents = audience.dependents.get(change);
    if (dependents === undefined) continue;
    for (const dependent of dependents) insertByOrder(queue, i + 1, dependent);
  }
}

/** Inserts a target into the sorted tail of the queue (from `from` on), keeping order. */
function insertByOrder(queue: AudienceTarget[], from: number, target: AudienceTarget): void {
  let at = from;
  while (at < queue.length && (queue[at] as AudienceTarget).order <= target.order) at += 1;
  queue.splice(at, 0, target);
}
