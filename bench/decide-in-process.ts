/**
 * The decide benchmark's loading and in-process half, run as a child process by bench/decide.ts:
 * loads `BENCH_DECIDE_PROFILES` people (default 100k) through the engine (`engine.ingest` in
 * batches of 2,500 events, SQLite at `<BENCH_DECIDE_DIR>/data/tailor.db`, where `tailor start
 * --data-dir <dir>/data` finds it), with the workspace file `<dir>/tailor.yaml`, then times
 * `decideFor` for one placement and the next best action over random known profiles (read with
 * `engine.peekProfile` before timing), `BENCH_DECIDE_ROUNDS` rounds of `BENCH_DECIDE_CALLS`
 * decisions. Every answer is checked. When the workspace's actions and placements learn, decisions read the
 * engine's learned model, first filled with outcomes in every bin they can meet (`fillModel`), so
 * the timed lookups find counts. Closes the engine (committing the view) and prints one JSON line.
 */
import { join } from 'node:path';
import type { LearnModel } from '../src/decide/learn/learn-model.ts';
import { decideFor } from '../src/engine/decide-for.ts';
import { Engine } from '../src/engine/engine.ts';
import { TailorError } from '../src/errors.ts';
import type { TailorEvent } from '../src/ingest/event.ts';
import { normalizeCall } from '../src/ingest/normalize-call.ts';
import type { ProfileState } from '../src/profile/profile.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { readWorkspaceFile } from '../src/workspace/read-workspace-file.ts';
import { seededRandom } from '../test/support/seeded-random.ts';
import { BODY_EVENTS } from './in-memory.ts';
import {
  DECIDE_CITIES,
  DECIDE_PLACEMENTS,
  decidePersonEvents,
  decidePlacementKey,
  decideRequestContext,
} from './workload.ts';

const DIR = process.env.BENCH_DECIDE_DIR ?? '';
const PROFILES = Number(process.env.BENCH_DECIDE_PROFILES ?? 100_000);
const ROUNDS = Number(process.env.BENCH_DECIDE_ROUNDS ?? 3);
const CALLS = Number(process.env.BENCH_DECIDE_CALLS ?? 20_000);
const NOW = Number(process.env.BENCH_DECIDE_NOW ?? Date.now());
/** Distinct profiles the timed decisions cycle through. */
const SAMPLE = 10_000;

/** What the in-process half measured, for bench/decide.ts. */
export interface DecideInProcessRun {
  profiles: number;
  events: number;
  ingestSeconds: number;
  /** The log position after loading: nothing was recorded by the in-process decisions. */
  lastSeq: number;
  /** Decisions per second, one figure per round. */
  perSecond: number[];
  /** Microseconds per decision over all rounds. */
  microseconds: { p50: number; p99: number };
  outcomes: Record<string, number>;
  /** Placements answered with a variant (not null). */
  variantsShown: number;
  checked: number;
  failures: number;
}

if (DIR === '') throw new Error('BENCH_DECIDE_DIR must name the benchmark directory');

const definition = await readWorkspaceFile(join(DIR, 'tailor.yaml'));
const store = new SqliteStore({ path: join(DIR, 'data', 'tailor.db') });
const engine = await Engine.open({ store, clock: () => NOW });
try {
  await engine.applyWorkspace(definition);
  process.stderr.write(`decide: loading ${PROFILES.toLocaleString('en')} profiles\n`);
  let events = 0;
  const ingestStarted = performance.now();
  let pending: TailorEvent[] = [];
  const flush = async (): Promise<void> => {
    // On a loaded machine a batch can wait past the writer's admission limit: send it again.
    for (;;) {
      try {
        await engine.ingest(definition.id, pending);
        break;
      } catch (error) {
        if (!(error instanceof TailorError) || error.code !== 'OVERLOADED') throw error;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    pending = [];
  };
  for (let person = 0; person < PROFILES; person += 1) {
    const calls = decidePersonEvents(person, NOW);
    const normalized = normalizeCall({ body: { batch: calls }, call: 'batch', receivedAt: NOW });
    if (normalized.rejected.length > 0)
      throw new Error(`rejected: ${JSON.stringify(normalized.rejected[0])}`);
    pending.push(...normalized.events);
    events += calls.length;
    if (pending.length >= BODY_EVENTS) await flush();
  }
  await flush();
  await engine.commit();
  const ingestSeconds = (performance.now() - ingestStarted) / 1000;

  const workspace = engine.workspace(definition.id);
  if (workspace === undefined) throw new Error('the workspace was not applied');
  const next = seededRandom(42);
  const profiles: ProfileState[] = [];
  for (let i = 0; i < SAMPLE; i += 1) {
    const profile = await engine.reads.peekProfile(definition.id, [
      `user_id:user-${Math.floor(next() * PROFILES)}`,
    ]);
    if (profile === undefined) throw new Error('a loaded person has no profile');
    profiles.push(profile);
  }
  const requests = Array.from({ length: SAMPLE }, () => ({
    placement: decidePlacementKey(Math.floor(next() * DECIDE_PLACEMENTS)),
    context: decideRequestContext(next),
  }));

  const model = engine.learning.state(definition.id).model;
  fillModel(model, workspace.decisions.learners.keys(), next);

  const perSecond: number[] = [];
  const times: number[] = [];
  const outcomes: Record<string, number> = {};
  let variantsShown = 0;
  let checked = 0;
  let failures = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    process.stderr.write(`decide: in-process round ${round + 1}/${ROUNDS}\n`);
    const started = performance.now();
    for (let i = 0; i < CALLS; i += 1) {
      const profile = profiles[i % SAMPLE];
      const request = requests[(i * 7 + round) % SAMPLE];
      if (profile === undefined || request === undefined) continue;
      const before = performance.now();
      const result = decideFor({
        workspace,
        profile,
        request: { placements: [request.placement], actions: true, context: request.context, trace: false },
        now: NOW,
        model,
        seed: `bench-${i}`,
      });
      times.push(performance.now() - before);
      const placement = result.placements[request.placement];
      const outcome = result.action?.outcome;
      checked += 1;
      if (placement === undefined || placement.unknown === true || outcome === undefined) failures += 1;
      else outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (placement?.variant) variantsShown += 1;
    }
    perSecond.push(CALLS / ((performance.now() - started) / 1000));
  }
  times.sort((a, b) => a - b);
  const at = (q: number): number =>
    (times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0) * 1000;
  const run: DecideInProcessRun = {
    profiles: PROFILES,
    events,
    ingestSeconds,
    lastSeq: await store.lastSeq(),
    perSecond,
    microseconds: { p50: at(0.5), p99: at(0.99) },
    outcomes,
    variantsShown,
    checked,
    failures,
  };
  await engine.close();
  console.log(JSON.stringify(run));
} catch (error) {
  await engine.close();
  throw error;
}

/**
 * Counts made-up outcomes into `model` for every learner (action or placement variant) in every bin of plan × city
 * (1,000 trials each), as a workspace that has learned for a while holds them.
 */
function fillModel(model: LearnModel, learners: Iterable<string>, random: () => number): void {
  for (const key of learners)
    for (const plan of ['free', 'pro', '-'])
      for (const city of [...DECIDE_CITIES, '-'])
        for (let trial = 0; trial < 1_000; trial += 1) {
          model.trial(key, `${plan}|${city}`);
          if (random() < 0.1) model.success(key, `${plan}|${city}`);
        }
}
