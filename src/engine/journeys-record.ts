import type { TailorEvent } from '../ingest/event.ts';
import type { JourneyDef } from '../journey/journey-def.ts';

/**
 * What a journeys record puts in force from its place in the log on: the journeys of a
 * workspace definition version, and which of them are paused.
 */
export interface JourneysInRecord {
  version: number;
  journeys: JourneyDef[];
  paused: string[];
}

/** Message ids of journeys records are numbered from 1 in each workspace, so they can be read back by id. */
export function journeysRecordId(n: number): string {
  return `tailor:journeys:${n}`;
}

/**
 * A change to the journeys in force (a changed definition, a pause, a resume) as a log record.
 * In the log, it sits in order with the events around it, so a replay runs each event against
 * the journeys that were in force when it came: a run keeps the version it started on, and a
 * journey added later does not start runs for events that came before it.
 */
export function journeysRecord(n: number, at: number, content: JourneysInRecord): TailorEvent {
  return {
    type: 'track',
    messageId: journeysRecordId(n),
    timestamp: at,
    receivedAt: at,
    properties: { version: content.version, journeys: content.journeys, paused: content.paused },
    traits: {},
    context: {},
    integrations: {},
    internal: 'journeys',
  };
}

/** Whether a logged record is a journeys record. */
export function isJourneysRecord(event: TailorEvent): boolean {
  return event.internal === 'journeys';
}

/** What a journeys record holds. */
export function readJourneysRecord(event: TailorEvent): JourneysInRecord {
  const { version, journeys, paused } = event.properties;
  return {
    version: typeof version === 'number' ? version : 0,
    journeys: Array.isArray(journeys) ? (journeys as JourneyDef[]) : [],
    paused: Array.isArray(paused) ? paused.filter((key): key is string => typeof key === 'string') : [],
  };
}
