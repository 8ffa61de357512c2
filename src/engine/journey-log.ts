import type { LoggedEvent, TailorEvent } from '../ingest/event.ts';
import type { JourneyDef } from '../journey/journey-def.ts';
import { type JourneysInForce, JourneyVersions, NO_JOURNEYS } from '../journey/journeys-in-force.ts';
import { hasRunsToRelease } from '../journey/step-journeys.ts';
import type { ProfileState } from '../profile/profile.ts';
import type { Store } from '../store/store.ts';
import {
  type JourneysInRecord,
  journeysRecord,
  journeysRecordId,
  readJourneysRecord,
} from './journeys-record.ts';
import type { WorkspaceView } from './workspace-view.ts';

/** Record ids read from the log per query while loading. */
const LOAD_PAGE = 100;
/** Stored profiles read per query while looking for runs to release. */
const SCAN_PAGE = 1_000;

/**
 * One workspace's `journeys` records, in log order: every journeys version they put in force
 * (compiled once, for the runs that started on it), and the latest, which the next record
 * (numbered after the last) starts from. Loaded from the log at start, by record id.
 */
export class JourneyLog {
  readonly versions = new JourneyVersions();
  /** Each record's place in the log and what it holds, oldest first. */
  private readonly records: { seq: number; content: JourneysInRecord }[] = [];

  /** Reads a workspace's records from the log. */
  static async load(store: Store, workspaceId: string): Promise<JourneyLog> {
    const log = new JourneyLog();
    for (let first = 1; ; first += LOAD_PAGE) {
      const ids = Array.from({ length: LOAD_PAGE }, (_, i) => journeysRecordId(first + i));
      const page = await store.readEventsById(workspaceId, ids);
      for (const record of page) log.met(record);
      if (page.length < LOAD_PAGE) break;
    }
    return log;
  }

  /** The latest record's content, if there is one. */
  get latest(): JourneysInRecord | undefined {
    return this.records.at(-1)?.content;
  }

  /** The journeys in force just after log position `seq`. */
  inForceAt(seq: number): JourneysInForce {
    let found: JourneysInRecord | undefined;
    for (const record of this.records) if (record.seq <= seq) found = record.content;
    return found === undefined ? NO_JOURNEYS : this.versions.inForce(found.version, found.paused);
  }

  /** Takes in a record met in the log (at start, or as it is applied); returns what it puts in force. */
  met(record: LoggedEvent): JourneysInForce {
    const content = readJourneysRecord(record);
    this.versions.add(content.version, content.journeys);
    if (!this.records.some((known) => known.seq === record.seq))
      this.records.push({ seq: record.seq, content });
    return this.versions.inForce(content.version, content.paused);
  }

  /**
   * The record that puts `journeys` (of definition `version`) in force, or undefined when they
   * are already: a journey that stays keeps its pause; one that goes is no longer paused.
   */
  recordFor(version: number, journeys: readonly JourneyDef[], at: number): TailorEvent | undefined {
    const { latest } = this;
    if (latest === undefined && journeys.length === 0) return undefined;
    if (latest !== undefined && JSON.stringify(latest.journeys) === JSON.stringify(journeys))
      return undefined;
    const keys = new Set(journeys.map((journey) => journey.key));
    const paused = (latest?.paused ?? []).filter((key) => keys.has(key));
    return journeysRecord(this.records.length + 1, at, { version, journeys: [...journeys], paused });
  }

  /** The record that pauses or resumes `key`, or undefined when it already is. */
  pauseRecord(key: string, paused: boolean, at: number): TailorEvent | undefined {
    const { latest } = this;
    if (latest === undefined || latest.paused.includes(key) === paused) return undefined;
    const keys = paused ? [...latest.paused, key].sort() : latest.paused.filter((other) => other !== key);
    return journeysRecord(this.records.length + 1, at, { ...latest, paused: keys });
  }
}

/** Keys of journeys whose runs a change of journeys in force lets go on (pause over) or ends (removed). */
export function releasedKeys(before: JourneysInForce, after: JourneysInForce): Set<string> {
  const keys = new Set<string>();
  for (const key of before.paused) if (!after.paused.has(key)) keys.add(key);
  for (const key of before.current.byKey.keys()) if (!after.current.byKey.has(key)) keys.add(key);
  return keys;
}

/**
 * Puts every profile with runs of `keys` to release into the view and returns their ids: the
 * view's own profiles and, unless the view holds the whole workspace, the stored ones it does
 * not hold yet (a scan: releases follow an admin's resume or a removed journey, not events).
 */
export async function profilesToRelease(
  store: Store,
  view: WorkspaceView,
  keys: ReadonlySet<string>,
): Promise<string[]> {
  const releases = (profile: ProfileState): boolean =>
    profile.journeys !== undefined && hasRunsToRelease(profile.journeys, view.journeys, keys);
  if (!view.complete) {
    for (let after: string | undefined; ; ) {
      const page = await store.scanProfiles({
        workspaceId: view.workspaceId,
        limit: SCAN_PAGE,
        ...(after === undefined ? {} : { after }),
      });
      for (const stored of page) {
        if (view.profiles.has(stored.id) || view.resolve(stored.id) !== stored.id) continue;
        if (releases(stored)) view.profiles.set(stored.id, stored);
      }
      after = page.at(-1)?.id;
      if (page.length < SCAN_PAGE) break;
    }
  }
  const ids: string[] = [];
  for (const profile of view.profiles.values()) if (releases(profile)) ids.push(profile.id);
  return ids;
}
