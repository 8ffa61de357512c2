import { derivedEvent } from '../audience/derived-event.ts';
import { mergeAudience } from '../audience/merge-audience.ts';
import {
  type AudienceChange,
  advanceAudience,
  releaseJourneys,
  updateAudience,
} from '../audience/update-audience.ts';
import { type EventIdentifiers, extractIdentifiers } from '../identity/extract-identifiers.ts';
import { identifierKey } from '../identity/identifier.ts';
import { resolveIdentity } from '../identity/resolve-identity.ts';
import type { LoggedEvent } from '../ingest/event.ts';
import { SEGMENT_ENTERED, SEGMENT_EXITED } from '../ingest/reserved-events.ts';
import type { JourneyEffect } from '../journey/step-journeys.ts';
import { applyEvent } from '../profile/apply-event.ts';
import { mergeProfiles } from '../profile/merge-profiles.ts';
import { newProfile } from '../profile/new-profile.ts';
import type { ProfileState } from '../profile/profile.ts';
import { updateScores } from '../profile/update-scores.ts';
import type { CompiledWorkspace } from './compiled-workspace.ts';
import { profileIdFor } from './profile-id.ts';
import type { WorkspaceView } from './workspace-view.ts';

/** What applying one event did, for logs and later stages. */
export type ApplyOutcome =
  | {
      kind: 'applied';
      profileId: string;
      created: boolean;
      merged: string[];
      derived: LoggedEvent[];
      /** Sends the profile's journeys asked for. */
      effects: JourneyEffect[];
      /** What `watch` said of the profile before the event (undefined for a profile it created). */
      watched?: string;
    }
  | { kind: 'unresolved' };

/**
 * Runs one logged event through identity and profile against a workspace's view: resolves
 * (and merges) profiles, then applies the event and the points it earns. Synchronous and free of I/O: every profile the
 * event can touch must already be in the view (`ViewLoader.prefetch`).
 */
export function applyToView(input: {
  view: WorkspaceView;
  workspace: CompiledWorkspace;
  event: LoggedEvent;
  /** The event's identifiers as `readEventIdentifiers` read them (once, for prefetch and apply). */
  identifiers: EventIdentifiers;
  /** Asked of the profile the event resolves to, before any merge or change: a fingerprint to compare. */
  watch?: (profile: ProfileState) => string;
}): ApplyOutcome {
  const { view, event } = input;
  const workspace = view.inForce(input.workspace);
  const { identity, recentEventsLimit } = workspace.definition;
  const identifiers = extractIdentifiers(input.identifiers, identity, view.isKnown);
  if (identifiers.length === 0) return { kind: 'unresolved' };

  const resolution = resolveIdentity({
    identifiers,
    graph: view,
    rules: identity,
    newProfileId: () => profileIdFor(view.workspaceId, event.messageId),
  });
  const profile = resolution.created
    ? newProfile({ id: resolution.profileId, workspaceId: view.workspaceId, at: event.timestamp })
    : view.profiles.get(resolution.profileId);
  if (profile === undefined) {
    throw new Error(`profile ${resolution.profileId} was not prefetched before applying ${event.messageId}`);
  }
  if (resolution.created) view.profiles.set(profile.id, profile);
  const watched = resolution.created ? undefined : input.watch?.(profile);

  for (const fromId of resolution.merged) {
    const from = view.profiles.get(fromId);
    if (from === undefined) throw new Error(`profile ${fromId} was not prefetched before merging`);
    mergeProfiles({
      into: profile,
      from,
      compiled: workspace.computed,
      scores: workspace.scores,
      recentLimit: recentEventsLimit,
    });
    mergeAudience(profile, from);
    for (const [type, values] of Object.entries(from.identifiers)) {
      for (const value of values) view.setKey(identifierKey({ type, value }), profile.id);
    }
    view.absorb(
      {
        workspaceId: view.workspaceId,
        intoId: profile.id,
        fromId,
        messageId: event.messageId,
        seq: event.seq,
        identifiers: resolution.matchedOn,
        at: event.timestamp,
      },
      from,
    );
  }

  const changes: AudienceChange[] = [];
  const effects: JourneyEffect[] = [];
  advanceAudience({ profile, workspace, until: event.timestamp, out: changes, effects });
  applyEvent({
    profile,
    event,
    identifiers: resolution.added,
    compiled: workspace.computed,
    recentLimit: recentEventsLimit,
  });
  updateScores({ profile, event, compiled: workspace.scores, computed: workspace.computed });
  const merged = resolution.merged.length > 0;
  updateAudience({
    profile,
    workspace,
    event,
    identifiersChanged: merged || resolution.added.length > 0,
    merged,
    out: changes,
    effects,
  });
  for (const identifier of resolution.added) view.setKey(identifierKey(identifier), profile.id);
  view.dirty.add(profile.id);
  view.links.push({ seq: event.seq, profileId: profile.id });
  if (merged) view.memberships.add(profile.id);
  const derived = recordChanges({ view, profile, changes, cause: event });
  return {
    kind: 'applied',
    profileId: profile.id,
    created: resolution.created,
    merged: resolution.merged,
    derived,
    effects,
    ...(watched === undefined ? {} : { watched }),
  };
}

/**
 * Applies a timer record: brings every profile due at or before its time up to that time, at
 * each due moment. `ids` are the candidates (the view's due profiles and the store's, loaded
 * into the view); a candidate no longer due is skipped. Returns the events derived, by profile.
 */
export function applyTimer(input: {
  view: WorkspaceView;
  workspace: CompiledWorkspace;
  timer: LoggedEvent;
  ids: Iterable<string>;
}): { profileId: string; derived: LoggedEvent[]; effects: JourneyEffect[] }[] {
  const { timer } = input;
  return applyToProfiles({ ...input, cause: timer }, (profile, workspace, changes, effects) => {
    const due = profile.audience?.due;
    if (due === undefined || due > timer.timestamp) return false;
    advanceAudience({ profile, workspace, until: timer.timestamp, out: changes, effects });
    return true;
  });
}

/**
 * Applies a `journeys` record that let runs of `keys` go on (a pause ended) or end (a journey
 * was removed): each of `ids` (profiles in the view) is brought up to the record's time and its
 * runs of those journeys released there. Returns the events derived and the effects, by profile.
 */
export function applyRelease(input: {
  view: WorkspaceView;
  workspace: CompiledWorkspace;
  record: LoggedEvent;
  keys: ReadonlySet<string>;
  ids: Iterable<string>;
}): { profileId: string; derived: LoggedEvent[]; effects: JourneyEffect[] }[] {
  const { record, keys } = input;
  return applyToProfiles({ ...input, cause: record }, (profile, workspace, changes, effects) => {
    releaseJourneys({ profile, workspace, keys, at: record.timestamp, out: changes, effects });
    return true;
  });
}

/**
 * Runs `change` on each of `ids` (profiles in the view) that it accepts (returns true for),
 * against the workspace with the journeys in force, and records what it derived, caused by
 * `cause`. Returns the events derived and the effects, by profile.
 */
function applyToProfiles(
  input: { view: WorkspaceView; workspace: CompiledWorkspace; ids: Iterable<string>; cause: LoggedEvent },
  change: (
    profile: ProfileState,
    workspace: CompiledWorkspace,
    changes: AudienceChange[],
    effects: JourneyEffect[],
  ) => boolean,
): { profileId: string; derived: LoggedEvent[]; effects: JourneyEffect[] }[] {
  const { view, cause } = input;
  const workspace = view.inForce(input.workspace);
  const derived: { profileId: string; derived: LoggedEvent[]; effects: JourneyEffect[] }[] = [];
  for (const id of input.ids) {
    const profile = view.profiles.get(id);
    if (profile === undefined) continue;
    const changes: AudienceChange[] = [];
    const effects: JourneyEffect[] = [];
    if (!change(profile, workspace, changes, effects)) continue;
    view.dirty.add(profile.id);
    const events = recordChanges({ view, profile, changes, cause });
    if (events.length > 0 || effects.length > 0)
      derived.push({ profileId: profile.id, derived: events, effects });
  }
  return derived;
}

/** Turns audience changes into derived events on the view, and notes new memberships and due moments. */
function recordChanges(input: {
  view: WorkspaceView;
  profile: ProfileState;
  changes: AudienceChange[];
  cause: LoggedEvent;
}): LoggedEvent[] {
  const { view, profile, changes, cause } = input;
  view.scheduleDue(profile);
  if (changes.length === 0) return [];
  const events: LoggedEvent[] = [];
  changes.forEach((change, ord) => {
    const event = derivedEvent({ profile, change, cause, ord });
    events.push(event);
    view.derived.push({ workspaceId: view.workspaceId, profileId: profile.id, event, ord });
    if (change.name === SEGMENT_ENTERED || change.name === SEGMENT_EXITED) {
      view.memberships.add(profile.id);
      const segment = change.properties['segment'];
      if (typeof segment === 'string')
        view.segmentHours.count(segment, change.at, change.name === SEGMENT_ENTERED ? 'entries' : 'exits');
    }
  });
  return events;
}
