/**
 * Journey runs waiting on timers, on the durable path (engine, SQLite store in a temporary
 * directory, fake clock). `BENCH_JOURNEY_PROFILES` people (default 100k) each send one
 * `Trial Started`, with event times spread over one minute, into the workspace of
 * `journeyWorkspaceYaml`; `BENCH_JOURNEY_WORKSPACE` picks it:
 * - `baseline`: without the journey. Measures the ingest, the resident size before and after
 *   (after GC: run with `--expose-gc`) and the stored size.
 * - `journey`: with it, so every person has a run waiting 1 hour. Measures the same, then moves
 *   the clock past the first wait and past the second in 250 ms steps, calling
 *   `fireDueTimers` at each, and checks on every profile that `nudged` is set and the run
 *   completed, and on every timeline that `Journey Ended` says `completed`.
 * - `paused`: as `journey`, with the journey paused before the first wait ends, so every run is
 *   held before its update; then resumed (timed: the resume finds the held runs by scanning the
 *   stored profiles and lets each go on), before the second wait.
 * Prints one JSON line.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeClock } from '../src/clock.ts';
import { Engine } from '../src/engine/engine.ts';
import { normalizeCall } from '../src/ingest/normalize-call.ts';
import { JOURNEY_ENDED, JOURNEY_STEP } from '../src/ingest/reserved-events.ts';
import type { ProfileState } from '../src/profile/profile.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../src/workspace/load-workspace.ts';
import {
  allDue,
  type FiringPass,
  fireThrough,
  NO_TIMER_MS,
  type Spread,
  spread,
} from './fake-clock-timers.ts';
import { BODY_EVENTS } from './in-memory.ts';
import { JOURNEY_TRIGGER_EVENT, journeyWorkspaceYaml } from './workload.ts';

const PROFILES = Number(process.env.BENCH_JOURNEY_PROFILES ?? 100_000);
const MODE = (process.env.BENCH_JOURNEY_WORKSPACE ?? 'journey') as 'baseline' | 'journey' | 'paused';
const WITH_JOURNEY = MODE !== 'baseline';
const SPREAD_MS = 60_000;
const START = Date.parse('2026-11-01T10:00:00Z');
const WORKSPACE = 'bench';
const JOURNEY = 'trial_nudge';

/** One pass of the clock over a wait's due moments. */
interface WaitPass {
  seconds: number;
  firings: number;
  steps: number;
  firingMs: Spread;
  /** `Journey Step` events the pass recorded. */
  journeySteps: number;
  latenessMs: Spread;
}

/** What one workspace's run measured; the firing figures only with the journey. */
interface JourneyRunResult {
  workspace: 'baseline' | 'journey' | 'paused';
  profiles: number;
  ingestSeconds: number;
  rssBefore: number;
  rssAfter: number;
  /** The V8 heap in use before and after (the part of the resident size objects take). */
  heapBefore: number;
  heapAfter: number;
  /** Profiles' JSON, summed, as stored after the ingest. */
  profileJsonBytes: number;
  /** The SQLite database and its WAL after the ingest. */
  fileBytes: number;
  /** Runs waiting after the ingest (active runs with a due moment). */
  waiting: number;
  first?: WaitPass;
  second?: WaitPass;
  check?: { nudged: number; completedHistory: number; endedCompleted: number; stillActive: number };
  /** With `paused`: runs held after the first wait, and the resume's wall time (with the view commit). */
  resume?: { held: number; seconds: number };
}

/** Resident size and V8 heap in use after two full collections. */
function settle(): { rss: number; heap: number } {
  globalThis.gc?.();
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heap: heapUsed };
}

/** One `Trial Started` per person, event times spread evenly over one minute, as `/v1/batch` bodies. */
function bodies(): string[] {
  const result: string[] = [];
  for (let done = 0; done < PROFILES; done += BODY_EVENTS) {
    const batch = [];
    for (let i = done; i < Math.min(done + BODY_EVENTS, PROFILES); i += 1) {
      batch.push({
        type: 'track',
        userId: `user-${i}`,
        event: JOURNEY_TRIGGER_EVENT,
        properties: { plan: 'pro' },
        timestamp: new Date(START + Math.floor((i * SPREAD_MS) / PROFILES)).toISOString(),
      });
    }
    result.push(JSON.stringify({ batch }));
  }
  return result;
}

/** Calls `visit` on every stored profile of the workspace, by id. */
async function eachProfile(
  store: SqliteStore,
  visit: (profile: ProfileState) => Promise<void>,
): Promise<void> {
  for (let after: string | undefined; ; ) {
    const page = await store.scanProfiles({
      workspaceId: WORKSPACE,
      limit: 1_000,
      ...(after === undefined ? {} : { after }),
    });
    for (const profile of page) await visit(profile);
    after = page.at(-1)?.id;
    if (page.length < 1_000) return;
  }
}

/** Counts the runs the pause held, then resumes the journey and commits: the resume's wall time. */
async function timeResume(engine: Engine, store: SqliteStore): Promise<{ held: number; seconds: number }> {
  let held = 0;
  await eachProfile(store, async (profile) => {
    if (profile.journeys?.active[JOURNEY]?.held === true) held += 1;
  });
  process.stderr.write(`journeys: resuming ${held.toLocaleString('en')} held runs\n`);
  const started = performance.now();
  await engine.setJourneyPaused(WORKSPACE, JOURNEY, false);
  await engine.commit();
  return { held, seconds: (performance.now() - started) / 1000 };
}

function fileBytes(path: string): number {
  return [path, `${path}-wal`].reduce((sum, file) => sum + (existsSync(file) ? statSync(file).size : 0), 0);
}

async function main(dir: string): Promise<JourneyRunResult> {
  const clock = fakeClock(START + SPREAD_MS);
  const path = join(dir, 'journeys.db');
  const store = new SqliteStore({ path });
  const engine = await Engine.open({
    store,
    clock: clock.now,
    timerIntervalMs: NO_TIMER_MS,
    checkpointIntervalMs: 1_000,
  });
  try {
    await engine.applyWorkspace(
      parseWorkspaceYaml({ text: journeyWorkspaceYaml({ id: WORKSPACE, journey: WITH_JOURNEY }) }),
    );
    const input = bodies();
    const before = settle();
    process.stderr.write(`journeys (${MODE}): ingesting ${PROFILES.toLocaleString('en')} events\n`);
    const ingestStarted = performance.now();
    for (const body of input) {
      const events = normalizeCall({ body: JSON.parse(body), call: 'batch', receivedAt: clock.now() }).events;
      await engine.ingest(WORKSPACE, events);
    }
    await engine.commit();
    const ingestSeconds = (performance.now() - ingestStarted) / 1000;
    const after = settle();

    let profileJsonBytes = 0;
    let waiting = 0;
    await eachProfile(store, async (profile) => {
      profileJsonBytes += Buffer.byteLength(JSON.stringify(profile));
      if (profile.journeys?.active[JOURNEY]?.until !== undefined) waiting += 1;
    });
    const result: JourneyRunResult = {
      workspace: MODE,
      profiles: PROFILES,
      ingestSeconds,
      rssBefore: before.rss,
      rssAfter: after.rss,
      heapBefore: before.heap,
      heapAfter: after.heap,
      profileJsonBytes,
      fileBytes: fileBytes(path),
      waiting,
    };
    if (!WITH_JOURNEY) return result;

    const firedAt = new Map<number, number>();
    const passes: FiringPass[] = [];
    let resume: JourneyRunResult['resume'];
    if (MODE === 'paused') await engine.setJourneyPaused(WORKSPACE, JOURNEY, true);
    for (const wait of ['first_wait', 'second_wait']) {
      if (wait === 'second_wait' && MODE === 'paused') resume = await timeResume(engine, store);
      const dues = await allDue(store, WORKSPACE);
      const first = dues[0]?.due;
      const last = dues.at(-1)?.due;
      if (first === undefined || last === undefined || dues.length !== PROFILES)
        throw new Error(`expected ${PROFILES} profiles due before ${wait}, found ${dues.length}`);
      process.stderr.write(
        `journeys: ${wait} ends over ${((last - first) / 1000).toFixed(1)} s of fake time\n`,
      );
      passes.push(await fireThrough({ engine, store, clock, first, last, firedAt }));
    }

    const lateness: Record<string, number[]> = { first_wait: [], second_wait: [] };
    let nudgeSteps = 0;
    let endedCompleted = 0;
    const check = { nudged: 0, completedHistory: 0, endedCompleted: 0, stillActive: 0 };
    await eachProfile(store, async (profile) => {
      if (profile.traits['nudged']?.value === true) check.nudged += 1;
      if (profile.journeys?.history[JOURNEY]?.lastOutcome === 'completed') check.completedHistory += 1;
      if (profile.journeys?.active[JOURNEY] !== undefined) check.stillActive += 1;
      const { events } = await store.timeline({ workspaceId: WORKSPACE, profileId: profile.id, limit: 20 });
      for (const event of events) {
        const fired = firedAt.get(event.seq);
        if (event.event === JOURNEY_ENDED && event.properties['outcome'] === 'completed') endedCompleted += 1;
        if (event.event !== JOURNEY_STEP || fired === undefined) continue;
        const step = event.properties['step'];
        if (step === 'nudge') nudgeSteps += 1;
        else if (step === 'first_wait' || step === 'second_wait')
          lateness[step]?.push(fired - event.timestamp);
      }
    });
    check.endedCompleted = endedCompleted;
    const pass = (index: number, journeySteps: number, late: number[]): WaitPass => {
      const run = passes[index];
      if (run === undefined) throw new Error(`no firing pass ${index}`);
      return {
        seconds: run.seconds,
        firings: run.firingMs.length,
        steps: run.steps,
        firingMs: spread(run.firingMs),
        journeySteps,
        latenessMs: spread(late),
      };
    };
    const firstLate = lateness['first_wait'] ?? [];
    const secondLate = lateness['second_wait'] ?? [];
    return {
      ...result,
      first: pass(0, firstLate.length + nudgeSteps, firstLate),
      second: pass(1, secondLate.length, secondLate),
      check,
      ...(resume === undefined ? {} : { resume }),
    };
  } finally {
    await engine.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'tailor-bench-journeys-'));
try {
  console.log(JSON.stringify(await main(dir)));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
