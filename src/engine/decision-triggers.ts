import { SEGMENT_ENTERED } from '../audience/update-audience.ts';
import type { LoggedEvent } from '../ingest/event.ts';
import type { CompiledWorkspace } from './compiled-workspace.ts';

/** A decision to make: for whom, because of which event, and which trigger matched. */
export interface TriggerHit {
  profileId: string;
  cause: LoggedEvent;
  /** `event:Checkout Abandoned` or `segment_entered:high_intent_leads`. */
  trigger: string;
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
        hits.push({ profileId, cause: event, trigger: `event:${trigger.event}` });
      } else if (
        trigger.segmentEntered !== undefined &&
        event.event === SEGMENT_ENTERED &&
        event.properties['segment'] === trigger.segmentEntered
      ) {
        hits.push({ profileId, cause: event, trigger: `segment_entered:${trigger.segmentEntered}` });
      }
    }
  }
}

function isRecorded(event: LoggedEvent): boolean {
  const tailor = event.context['tailor'];
  return typeof tailor === 'object' && tailor !== null && 'recorded' in tailor;
}
