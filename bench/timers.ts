/**
 * Time-based exits on the durable path (engine, SQLite store in a temporary directory, fake
 * clock). `BENCH_TIMER_PROFILES` people (default 100k) each send one event, with event times
 * spread over one minute, and so each enter:
 * - `segment`: a segment `$performed: { event: Pricing Viewed, within: 7d }`;
 * - `detector`: a detector waiting 30 minutes after `Checkout Started` for `Order Completed`.
 * The clock then moves past every due moment in 250 ms steps, calling `fireDueTimers` at each
 * step as a 250 ms timer would, and the exits (`Segment Exited`, `Checkout Abandoned`) are
 * timed: total real time including the final view commit, wall time per firing, and lateness
 * against each due moment in fake time. Baseline: ingesting the same events. Prints one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeClock } from '../src/clock.ts';
import { Engine } from '../src/engine/engine.ts';
import { normalizeCall } from '../src/ingest/normalize-call.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../src/workspace/load-workspace.ts';
import { allDue, fireThrough, NO_TIMER_MS, type Spread, spread } from './fake-clock-timers.ts';
import { BODY_EVENTS } from './in-memory.ts';

const PROFILES = Number(process.env.BENCH_TIMER_PROFILES ?? 100_000);
const SPREAD_MS = 60_000;
const START = Date.parse('2026-11-01T10:00:00Z');
const WORKSPACE = 'bench';
const WEEK_MS = 7 * 24 * 3_600_000;
/** Longer than any run, shorter than the largest delay `setInterval` takes: the benchmark fires timers itself. */

type Kind = 'segment' | 'detector';

/** One section's figures. */
interface TimerSection {
  profiles: number;
  ingestSeconds: number;
  exitSeconds: number;
  exited: number;
  /** Members left in the segment after the exits (segment section only). */
  membersAfter?: number;
  firings: number;
  steps: number;
  firingMs: Spread;
  latenessMs: Spread;
  /** How long after exactly 7 days from the event the exit was due (window bucketing; segment only). */
  beyondWindowMs?: { min: number; max: number };
}

const SECTIONS: Record<Kind, { yaml: string; event: string; exitName: string }> = {
  segment: {
    yaml: `segments:\n  - key: viewed_pricing_this_week\n    when:\n      $performed: { event: Pricing Viewed, within: 7d }\n`,
    event: 'Pricing Viewed',
    exitName: 'Segment Exited',
  },
  detector: {
    yaml: [
      'detectors:',
      '  - key: checkout_abandonment',
      '    after: Checkout Started',
      '    where: { properties.value: { $gt: 0 } }',
      '    unless: Order Completed',
      '    within: 30m',
      '    emit: Checkout Abandoned',
      '',
    ].join('\n'),
    event: 'Checkout Started',
    exitName: 'Checkout Abandoned',
  },
};

/** One event per person, event times spread evenly over one minute, as `/v1/batch` bodies. */
function bodies(event: string): string[] {
  const result: string[] = [];
  for (let done = 0; done < PROFILES; done += BODY_EVENTS) {
    const batch = [];
    for (let i = done; i < Math.min(done + BODY_EVENTS, PROFILES); i += 1) {
      batch.push({
        type: 'track',
        userId: `user-${i}`,
        event,
        properties: { value: 10 + (i % 90) },
        timestamp: new Date(START + Math.floor((i * SPREAD_MS) / PROFILES)).toISOString(),
      });
    }
    result.push(JSON.stringify({ batch }));
  }
  return result;
}

async function section(kind: Kind, dir: string): Promise<TimerSection> {
  const { yaml, event, exitName } = SECTIONS[kind];
  const clock = fakeClock(START + SPREAD_MS);
  const store = new SqliteStore({ path: join(dir, `${kind}.db`) });
  const engine = await Engine.open({
    store,
    clock: clock.now,
    timerIntervalMs: NO_TIMER_MS,
    checkpointIntervalMs: 1_000,
  });
  try {
    await engine.applyWorkspace(
      parseWorkspaceYaml({ text: `workspace:\n  id: ${WORKSPACE}\n  name: Bench timers\n${yaml}` }),
    );
    const input = bodies(event);
    process.stderr.write(`timers (${kind}): ingesting ${PROFILES.toLocaleString('en')} events\n`);
    const ingestStarted = performance.now();
    for (const body of input) {
      const events = normalizeCall({ body: JSON.parse(body), call: 'batch', receivedAt: clock.now() }).events;
      await engine.ingest(WORKSPACE, events);
    }
    await engine.commit();
    const ingestSeconds = (performance.now() - ingestStarted) / 1000;

    const dues = await allDue(store, WORKSPACE);
    const first = dues[0]?.due;
    const last = dues.at(-1)?.due;
    if (first === undefined || last === undefined || dues.length !== PROFILES)
      throw new Error(`expected ${PROFILES} profiles due, found ${dues.length}`);
    process.stderr.write(
      `timers (${kind}): firing over ${((last - first) / 1000).toFixed(1)} s of fake time\n`,
    );
    const firedAt = new Map<number, number>();
    const pass = await fireThrough({ engine, store, clock, first, last, firedAt });
    const { firingMs, steps } = pass;
    const exitSeconds = pass.seconds;

    const lateness: number[] = [];
    let beyondMin = Number.POSITIVE_INFINITY;
    let beyondMax = Number.NEGATIVE_INFINITY;
    for (let after: string | undefined; ; ) {
      const page = await store.scanProfiles({
        workspaceId: WORKSPACE,
        limit: 1_000,
        ...(after === undefined ? {} : { after }),
      });
      for (const profile of page) {
        const { events } = await store.timeline({ workspaceId: WORKSPACE, profileId: profile.id, limit: 10 });
        const exit = events.find((e) => e.event === exitName);
        const firing = exit === undefined ? undefined : firedAt.get(exit.seq);
        if (exit === undefined || firing === undefined) continue;
        lateness.push(firing - exit.timestamp);
        const cause = events.find((e) => e.event === event);
        if (kind === 'segment' && cause !== undefined) {
          const beyond = exit.timestamp - cause.timestamp - WEEK_MS;
          beyondMin = Math.min(beyondMin, beyond);
          beyondMax = Math.max(beyondMax, beyond);
        }
      }
      after = page.at(-1)?.id;
      if (page.length < 1_000) break;
    }
    return {
      profiles: PROFILES,
      ingestSeconds,
      exitSeconds,
      exited: lateness.length,
      ...(kind === 'segment'
        ? {
            membersAfter: await engine.reads.segmentSize(WORKSPACE, 'viewed_pricing_this_week'),
            beyondWindowMs: { min: beyondMin, max: beyondMax },
          }
        : {}),
      firings: firingMs.length,
      steps,
      firingMs: spread(firingMs),
      latenessMs: spread(lateness),
    };
  } finally {
    await engine.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'tailor-bench-timers-'));
try {
  const segment = await section('segment', dir);
  const detector = await section('detector', dir);
  console.log(JSON.stringify({ segment, detector }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
