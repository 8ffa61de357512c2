import { join } from 'node:path';
import { type FakeClock, fakeClock } from '../../src/clock.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { LoggedEvent, TailorEvent } from '../../src/ingest/event.ts';
import type { ProfileState } from '../../src/profile/profile.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import type { WorkspaceDefinition } from '../../src/workspace/workspace.ts';
import { tempDir } from './test-tailor.ts';

/** The workspace every audience test uses. */
export const WS = 'shop';

/** The reference moment of audience scenarios: a Monday, 10:00 UTC. */
export const T0 = Date.parse('2026-03-02T10:00:00Z');

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** So long the engine's own timer interval never fires during a test: tests call `fireDueTimers`. */
const NEVER_MS = 2_000_000_000;

/** A workspace definition from the sections of a workspace file (segments, detectors, …) after its header. */
export function audienceWorkspace(sections: string): WorkspaceDefinition {
  return parseWorkspaceYaml({ text: `workspace:\n  id: ${WS}\n  name: Shop\n${sections}` });
}

/** An engine over a SQLite file in a fresh directory, driven by a fake clock. */
export interface AudienceHarness {
  engine: Engine;
  store: SqliteStore;
  clock: FakeClock;
  /** The database file, to open again after a restart or a crash. */
  path: string;
}

/** Options of an engine opened on a harness's database. */
function engineOptions(store: SqliteStore, clock: FakeClock) {
  return { store, clock: clock.now, timerIntervalMs: NEVER_MS, checkpointIntervalMs: NEVER_MS };
}

/** Opens an engine on a new database with the workspace `sections` applied, the clock at `start`. */
export async function openAudience(sections: string, start = T0): Promise<AudienceHarness> {
  const path = join(tempDir('tailor-audience-'), 'tailor.db');
  const clock = fakeClock(start);
  const store = new SqliteStore({ path });
  const engine = await Engine.open(engineOptions(store, clock));
  await engine.applyWorkspace(audienceWorkspace(sections));
  return { engine, store, clock, path };
}

/** Opens another engine on an existing database (after a restart or a simulated crash). */
export async function reopenAudience(path: string, clock: FakeClock): Promise<AudienceHarness> {
  const store = new SqliteStore({ path });
  const engine = await Engine.open(engineOptions(store, clock));
  return { engine, store, clock, path };
}

/** What an event of a scenario says; the rest of a normalized event is filled in. */
export interface EventSpec {
  type?: TailorEvent['type'];
  userId?: string;
  anonymousId?: string;
  event?: string;
  name?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
}

let sequence = 0;

/** A normalized event at `timestamp`, received at `receivedAt` (a track event unless `type` says). */
export function eventAt(spec: EventSpec, timestamp: number, receivedAt = timestamp): TailorEvent {
  sequence += 1;
  return {
    type: spec.type ?? 'track',
    messageId: `audience-${sequence}`,
    timestamp,
    receivedAt,
    ...(spec.userId === undefined ? {} : { userId: spec.userId }),
    ...(spec.anonymousId === undefined ? {} : { anonymousId: spec.anonymousId }),
    ...(spec.event === undefined ? {} : { event: spec.event }),
    ...(spec.name === undefined ? {} : { name: spec.name }),
    properties: spec.properties ?? {},
    traits: spec.traits ?? {},
    context: {},
    integrations: {},
  };
}

/** A derived event as scenarios compare it. */
export interface DerivedSummary {
  name: string;
  properties: Record<string, unknown>;
  timestamp: number;
}

/** Whether a logged event was derived by the audience (`context.tailor.derived`). */
export function isDerived(event: LoggedEvent): boolean {
  const tailor = event.context['tailor'];
  return (
    typeof tailor === 'object' && tailor !== null && (tailor as Record<string, unknown>)['derived'] === true
  );
}

/** A profile's whole timeline, oldest first. */
export async function timelineOf(engine: Engine, profileId: string): Promise<LoggedEvent[]> {
  const events: LoggedEvent[] = [];
  let before: number | undefined;
  do {
    const page = await engine.reads.timeline(WS, profileId, { limit: 500, ...(before ? { before } : {}) });
    events.push(...page.events);
    before = page.nextBefore;
  } while (before !== undefined);
  return events.reverse();
}

/** The events the audience derived for a profile, oldest first, as scenarios compare them. */
export async function derivedOf(engine: Engine, profileId: string): Promise<DerivedSummary[]> {
  return (await timelineOf(engine, profileId))
    .filter(isDerived)
    .map((event) => ({ name: event.event ?? '', properties: event.properties, timestamp: event.timestamp }));
}

/** A profile by `type:value` reference or id; throws when there is none. */
export async function profileOf(engine: Engine, ref: string): Promise<ProfileState> {
  const profile = await engine.reads.findProfile(WS, ref);
  if (profile === undefined) throw new Error(`no profile for ${ref}`);
  return profile;
}

/** Every member of a segment as stored, by profile id. */
export async function membersOf(engine: Engine, segment: string): Promise<Record<string, number>> {
  const members: Record<string, number> = {};
  let after: string | undefined;
  do {
    const page = await engine.reads.segmentMembers(WS, segment, { limit: 500, ...(after ? { after } : {}) });
    for (const member of page.members) members[member.profileId] = member.enteredAt;
    after = page.nextAfter;
  } while (after !== undefined);
  return members;
}

/**
 * When an event at `at` stops counting in a window of `windowMs`: windows are kept in 30
 * buckets (at least a second wide), and an event leaves with its bucket, at the bucket's end
 * plus the window — after `at + windowMs` by at most a thirtieth of the window.
 */
export function windowExit(at: number, windowMs: number): number {
  const bucketMs = Math.max(Math.ceil(windowMs / 30), 1000);
  return (Math.floor(at / bucketMs) + 1) * bucketMs + windowMs;
}

/** When `points` earned at `at`, halving every `halfLifeMs`, fall to `threshold` (exact, fractional ms). */
export function decayCrossing(points: number, at: number, halfLifeMs: number, threshold: number): number {
  return at + halfLifeMs * Math.log2(points / threshold);
}

/** An ISO-8601 string of an epoch ms time, as derived events carry times. */
export function iso(at: number): string {
  return new Date(at).toISOString();
}
