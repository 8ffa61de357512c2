import type { LearnModel } from '../decide/learn/learn-model.ts';
import type { LoggedEvent, TailorEvent } from '../ingest/event.ts';
import { SEGMENT_ENTERED } from '../ingest/reserved-events.ts';
import { type JourneyEffect, journeyTrigger } from '../journey/step-journeys.ts';
import type { CompiledWorkspace } from './compiled-workspace.ts';
import { decideFor, decisionEvents, profileIdentity } from './decide-for.ts';
import type { WorkspaceView } from './workspace-view.ts';

/** A decision to make: for whom, why, and under which id it is recorded. */
export interface TriggerHit {
  profileId: string;
  /** The id the recorded `Decision Made` is derived from, so a replayed trigger is logged once. */
  key: string;
  /** `event:Checkout Abandoned`, `segment_entered:high_intent_leads` or `journey:checkout_recovery:remind`. */
  trigger: string;
  /** When it was asked for (event or step time). */
  at: number;
  /** The event that triggered it, which conditions can read as `event`. */
  cause?: LoggedEvent;
  /** Only this action may be decided (a journey's `send` step). */
  action?: string;
}

/** Adds the decisions a profile's journeys asked for (`decide` and `send` steps). */
export function journeyHits(profileId: string, effects: readonly JourneyEffect[], hits: TriggerHit[]): void {
  for (const effect of effects) {
    if (effect.kind === 'update' || effect.kind === 'audience') continue;
    hits.push({
      profileId,
      key: `jrn-${profileId}-${effect.journey}-${effect.entry}-${effect.step}-${effect.at}`,
      trigger: journeyTrigger(effect.journey, effect.step),
      at: effect.at,
      ...(effect.kind === 'send' ? { action: effect.action } : {}),
    });
  }
}

/**
 * Adds to `hits` the decision triggers that events applied to one profile match: a track event
 * (received or derived) named in a trigger, or a derived `Segment Entered` of a segment named in
 * one. Events Tailor recorded about decisions (`context.tailor.recorded`) never trigger, so a
 * trigger on `Decision Made` cannot loop.
 */
export function triggerHits(
  workspace: CompiledWorkspace,
  profileId: string,
  events: readonly LoggedEvent[],
  hits: TriggerHit[],
): void {
  const triggers = workspace.definition.decisions?.triggers;
  if (triggers === undefined || triggers.length === 0) return;
  for (const event of events) {
    if (event.type !== 'track' || event.event === undefined || isRecorded(event)) continue;
    for (const trigger of triggers) {
      if (trigger.event !== undefined && trigger.event === event.event) {
        hits.push({
          profileId,
          key: `dec-${event.messageId}`,
          trigger: `event:${trigger.event}`,
          at: event.timestamp,
          cause: event,
        });
      } else if (
        trigger.segmentEntered !== undefined &&
        event.event === SEGMENT_ENTERED &&
        event.properties['segment'] === trigger.segmentEntered
      ) {
        hits.push({
          profileId,
          key: `dec-${event.messageId}`,
          trigger: `segment_entered:${trigger.segmentEntered}`,
          at: event.timestamp,
          cause: event,
        });
      }
    }
  }
}

function isRecorded(event: LoggedEvent): boolean {
  const tailor = event.context['tailor'];
  return typeof tailor === 'object' && tailor !== null && 'recorded' in tailor;
}

/**
 * The `Decision Made` events for triggered decisions: each decided for the profile as the view
 * holds it, at the later of now and the time it was asked for, restricted to one action for a
 * journey's `send` step, and recorded under the id its hit derives, so a replay logs it once.
 * A profile with no user or anonymous id to record under is skipped.
 */
export function triggeredDecisions(input: {
  view: WorkspaceView;
  workspace: CompiledWorkspace;
  hits: readonly TriggerHit[];
  now: number;
  /** What the workspace has learned, for actions with a goal. */
  model?: LearnModel | undefined;
}): TailorEvent[] {
  const { view, workspace, now } = input;
  const events: TailorEvent[] = [];
  for (const hit of input.hits) {
    const profile = view.profiles.get(view.resolve(hit.profileId));
    const identity = profile === undefined ? undefined : profileIdentity(profile);
    if (profile === undefined || identity === undefined) continue;
    const { cause } = hit;
    const at = Math.max(now, hit.at);
    const result = decideFor({
      workspace,
      profile,
      request: {
        placements: [],
        actions: true,
        context: {},
        trace: false,
        ...(cause === undefined
          ? {}
          : { event: { event: cause.event, properties: cause.properties, timestamp: cause.timestamp } }),
      },
      now: at,
      model: input.model,
      seed: hit.key,
      ...(hit.action === undefined ? {} : { onlyAction: hit.action }),
    });
    events.push(...decisionEvents({ result, identity, messageId: hit.key, now: at, trigger: hit.trigger }));
  }
  return events;
}
