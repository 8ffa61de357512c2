/**
 * `npm run bench`: the pipeline, HTTP, memory, conditions, segment scaling and timer
 * benchmarks, each against a baseline measured in the same run, printed as medians with the
 * targets from the project's goals. `BENCH_QUICK=1` runs a smaller version (for a smoke check,
 * not for figures); `BENCH_ONLY=segments,timers` runs only the sections named (`pipeline`,
 * `http`, `memory`, `conditions`, `segments`, `history`, `timers`, `decide`, `learn`, `activation`, `audiences`, `journeys`, `console`, `sdk`).
 */
import { activationBench } from './activation.ts';
import { audiencesBench } from './audiences.ts';
import { conditionsBench } from './conditions.ts';
import { type DecideHttpFigures, decideBench } from './decide.ts';
import { httpBench } from './http.ts';
import { learnBench } from './learn.ts';
import { runScript } from './processes.ts';
import type { SdkRun } from './sdk.ts';

const quick = process.env.BENCH_QUICK === '1';
const rounds = Number(process.env.BENCH_ROUNDS ?? (quick ? 1 : 3));
const seconds = Number(process.env.BENCH_SECONDS ?? (quick ? 3 : 10));

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const fmt = (value: number, digits = 0): string =>
  value.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const verdict = (ok: boolean): string => (ok ? 'meets target' : 'BELOW TARGET');
const only = new Set(
  (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean),
);
/** Whether a section runs: every section unless `BENCH_ONLY` names some. */
const runs = (section: string): boolean => only.size === 0 || only.has(section);

interface PipelineRun {
  events: number;
  compute: number;
  baseline: number;
  pipeline: number;
  profiles: number;
}
interface SegmentsRun {
  events: number;
  people: number;
  rounds: number;
  ns: { few: number[]; many: number[]; traits: number[] };
}
interface Spread {
  p50: number;
  p99: number;
  max: number;
}
interface TimerSection {
  profiles: number;
  ingestSeconds: number;
  exitSeconds: number;
  exited: number;
  membersAfter?: number;
  firings: number;
  steps: number;
  firingMs: Spread;
  latenessMs: Spread;
  beyondWindowMs?: { min: number; max: number };
}
interface JourneyPass {
  seconds: number;
  firings: number;
  steps: number;
  firingMs: Spread;
  journeySteps: number;
  latenessMs: Spread;
}
interface JourneyRun {
  profiles: number;
  ingestSeconds: number;
  rssBefore: number;
  rssAfter: number;
  heapBefore: number;
  heapAfter: number;
  profileJsonBytes: number;
  fileBytes: number;
  waiting: number;
  first?: JourneyPass;
  second?: JourneyPass;
  resume?: { held: number; seconds: number };
  check?: { nudged: number; completedHistory: number; endedCompleted: number; stillActive: number };
}
interface ConsoleRun {
  jsGzip: number;
  cssGzip: number;
  jsRaw: number;
  files: number;
  profiles: number;
  ingestSeconds: number;
  firstLoad: { p50: number; max: number };
  inApp: { p50: number; max: number };
  samples: number;
}
interface MemoryRun {
  profiles: number;
  rssBefore: number;
  rssAfter: number;
  heapBefore: number;
  heapAfter: number;
  cached: { profiles: number; keys: number };
  seconds: number;
}

const env: Record<string, string> = quick
  ? { BENCH_PIPELINE_EVENTS: '60000', BENCH_PEOPLE: '20000', BENCH_MEMORY_PROFILES: '50000' }
  : {};

console.log(
  `Tailor benchmarks (${quick ? 'quick' : 'full'}: ${rounds} round(s), medians) on Node ${process.version}\n`,
);

if (runs('pipeline')) {
  const pipelineRuns: PipelineRun[] = [];
  for (let round = 0; round < rounds; round += 1) {
    process.stderr.write(`pipeline: round ${round + 1}/${rounds}\n`);
    pipelineRuns.push(await runScript<PipelineRun>('bench/pipeline.ts', { env }));
  }
  const compute = median(pipelineRuns.map((run) => run.compute));
  const pipeline = median(pipelineRuns.map((run) => run.pipeline));
  const logOnly = median(pipelineRuns.map((run) => run.baseline));
  const first = pipelineRuns[0];
  console.log('In-process pipeline (identify/track/page mix, 20 computed traits)');
  console.log(`  ${fmt(first?.events ?? 0)} events over ${fmt(first?.profiles ?? 0)} profiles`);
  console.log(`  normalize → identity → profile, in memory:  ${fmt(compute)} events/s on one core`);
  console.log(`  baseline, normalize → durable log append:   ${fmt(logOnly)} events/s`);
  console.log(
    `  engine end to end (log + view commits):    ${fmt(pipeline)} events/s (ratio ${fmt(pipeline / logOnly, 2)})  target ≥ 0.60: ${verdict(pipeline / logOnly >= 0.6)}`,
  );
  console.log(
    `  target ≥ 50,000 events/s on one core: in memory ${verdict(compute >= 50_000)}; end to end ${verdict(pipeline >= 50_000)}\n`,
  );
}
if (runs('http')) {
  const http = await httpBench({ seconds, rounds });
  for (const [name, label] of [
    ['track', 'POST /v1/track (one event per request)'],
    ['batch', 'POST /v1/batch (100 events per request)'],
  ] as const) {
    const runs = http[name];
    const base = median(runs.baseline.map((run) => run.requestsPerSecond));
    const ours = median(runs.tailor.map((run) => run.requestsPerSecond));
    const ratio = ours / base;
    console.log(`HTTP ${label}, 32 connections`);
    console.log(
      `  baseline, bare Fastify parsing JSON: ${fmt(base)} req/s, p99 ${fmt(median(runs.baseline.map((r) => r.p99)))} ms`,
    );
    console.log(
      `  Tailor (durable before 200):         ${fmt(ours)} req/s = ${fmt(median(runs.tailor.map((r) => r.eventsPerSecond)))} events/s, p50 ${fmt(median(runs.tailor.map((r) => r.p50)))} ms, p99 ${fmt(median(runs.tailor.map((r) => r.p99)))} ms, errors ${runs.tailor.reduce((sum, r) => sum + r.errors, 0)}`,
    );
    const eventsPerSecond = median(runs.tailor.map((r) => r.eventsPerSecond));
    const p99 = median(runs.tailor.map((r) => r.p99));
    const target =
      name === 'track'
        ? `  target ≥ 0.50, p99 ≤ 25 ms: ${verdict(ratio >= 0.5 && p99 <= 25)}`
        : `  target ≥ 50,000 events/s: ${verdict(eventsPerSecond >= 50_000)}`;
    console.log(`  ratio ${fmt(ratio, 2)}${target}\n`);
  }
}
if (runs('memory')) {
  process.stderr.write('memory: ingesting profiles\n');
  const memory = await runScript<MemoryRun>('bench/memory.ts', {
    nodeArgs: ['--expose-gc', '--max-old-space-size=8192'],
    env,
  });
  const perProfile = (memory.rssAfter - memory.rssBefore) / memory.profiles;
  console.log(`Memory with ${fmt(memory.profiles)} profiles held in the view`);
  console.log(
    `  resident size ${fmt(memory.rssBefore / 2 ** 20)} MiB before, ${fmt(memory.rssAfter / 2 ** 20)} MiB after`,
  );
  console.log(
    `  ${fmt(perProfile)} bytes per profile (ingested at ${fmt(memory.profiles / memory.seconds)} events/s)`,
  );
  const heapPerProfile = (memory.heapAfter - memory.heapBefore) / memory.profiles;
  console.log(
    `  JS heap ${fmt(heapPerProfile)} bytes per profile, its 3 index entries included  target ≤ 1,024: ${verdict(heapPerProfile <= 1_024)}`,
  );
  const anonymousIds = quick ? 200_000 : Number(process.env.BENCH_ANONYMOUS_IDS ?? 5_000_000);
  const budgetMb = 64;
  process.stderr.write(`memory: ${fmt(anonymousIds)} anonymous ids under a ${budgetMb} MiB cache\n`);
  const anonymous = await runScript<MemoryRun>('bench/memory.ts', {
    nodeArgs: ['--expose-gc'],
    env: {
      ...env,
      BENCH_MEMORY_MODE: 'anonymous',
      BENCH_MEMORY_PROFILES: String(anonymousIds),
      BENCH_CACHE_MB: String(budgetMb),
    },
  });
  const growth = (anonymous.heapAfter - anonymous.heapBefore) / 2 ** 20;
  console.log(`Memory with ${fmt(anonymousIds)} distinct anonymous ids, TAILOR_CACHE_MB=${budgetMb}`);
  console.log(
    `  JS heap grew ${fmt(growth, 1)} MiB; the view holds ${fmt(anonymous.cached.profiles)} profiles and ${fmt(anonymous.cached.keys)} index entries  target within ${budgetMb} MiB: ${verdict(growth <= budgetMb)}`,
  );
  console.log(
    `  resident size ${fmt(anonymous.rssBefore / 2 ** 20)} → ${fmt(anonymous.rssAfter / 2 ** 20)} MiB (SQLite's page cache, 256 MiB, is apart from the budget)\n`,
  );
}
if (runs('conditions')) {
  const conditions = await conditionsBench(quick ? { rounds: 3, passes: 10 } : {});
  console.log('\nConditions: 10 targeting conditions × 1,000 profiles (ns per evaluation)');
  console.log(`  baseline, GrowthBook evalCondition: ${fmt(conditions.growthbookNs, 1)} ns`);
  console.log(`  Tailor compiled conditions:         ${fmt(conditions.tailorNs, 1)} ns`);
  console.log(`  ratio ${fmt(conditions.ratio, 1)}×  target ≥ 10×: ${verdict(conditions.ratio >= 10)}`);
}
if (runs('segments')) {
  const result = await runScript<SegmentsRun>('bench/segments.ts', {
    nodeArgs: ['--expose-gc'],
    env: quick ? { BENCH_SEGMENT_EVENTS: '60000', BENCH_PEOPLE: '20000', BENCH_SEGMENT_ROUNDS: '2' } : {},
  });
  const few = median(result.ns.few);
  const many = median(result.ns.many);
  const traits = median(result.ns.traits);
  console.log(
    `\nSegment scaling: in-memory pipeline, ${fmt(result.events)} events over ${fmt(result.people)} people, ${result.rounds} alternating rounds (ns per event)`,
  );
  console.log(`  baseline, 10 segments (5 read the events sent):           ${fmt(few)} ns`);
  console.log(`  1,000 segments (the same 5; 995 read other events):       ${fmt(many)} ns`);
  console.log(`  ratio 1000/10 ${fmt(many / few, 2)}  target < 1.5: ${verdict(many / few < 1.5)}`);
  console.log(
    `  not indexed: 1,000 segments reading traits.* (every identify evaluates all): ${fmt(traits)} ns, ratio ${fmt(traits / few, 2)}`,
  );
}
if (runs('history')) {
  const result = await runScript<{ moves: number; hours: number; p50: number; max: number }>(
    'bench/segment-history.ts',
    { env: quick ? { BENCH_HISTORY_MOVES: '100000' } : {} },
  );
  console.log(
    `\nSegment history (SQLite, ${fmt(result.moves)} derived segment entries): ${fmt(result.hours)} hours and the latest 20 moves read`,
  );
  console.log(
    `  p50 ${fmt(result.p50, 2)} ms, max ${fmt(result.max, 2)} ms (50 reads; no scan of the log or of the moves)`,
  );
}
if (runs('timers')) {
  const result = await runScript<{ segment: TimerSection; detector: TimerSection }>('bench/timers.ts', {
    env: quick ? { BENCH_TIMER_PROFILES: '25000' } : {},
  });
  for (const [name, label] of [
    ['segment', 'segment `$performed: Pricing Viewed within 7d`'],
    ['detector', 'detector `Checkout Started` unless `Order Completed` within 30m'],
  ] as const) {
    const run = result[name];
    const ingested = run.profiles / run.ingestSeconds;
    const exits = run.exited / run.exitSeconds;
    console.log(
      `\nTime-based exits, ${label}: ${fmt(run.profiles)} profiles, SQLite, fake clock in 250 ms steps`,
    );
    console.log(`  baseline, ingesting the entering events: ${fmt(ingested)} events/s`);
    console.log(
      `  exits: ${fmt(run.exitSeconds, 2)} s in total (with the view commit) = ${fmt(exits)} exits/s (ratio ${fmt(exits / ingested, 2)})`,
    );
    console.log(
      `  ${fmt(run.firings)} firings in ${fmt(run.steps)} steps, wall time per firing p50 ${fmt(run.firingMs.p50, 1)} ms, p99 ${fmt(run.firingMs.p99, 1)} ms, max ${fmt(run.firingMs.max, 1)} ms`,
    );
    console.log(
      `  lateness against the due moment (fake time): p50 ${fmt(run.latenessMs.p50)} ms, p99 ${fmt(run.latenessMs.p99)} ms, max ${fmt(run.latenessMs.max)} ms`,
    );
    if (run.beyondWindowMs !== undefined)
      console.log(
        `  due moments fall ${fmt(run.beyondWindowMs.min / 60_000, 1)}–${fmt(run.beyondWindowMs.max / 60_000, 1)} min after exactly 7 days (windows are kept in buckets of 1/30)`,
      );
    const members = run.membersAfter === undefined ? '' : `, segment size after: ${fmt(run.membersAfter)}`;
    const ok = run.exited === run.profiles && (run.membersAfter ?? 0) === 0;
    console.log(
      `  check: ${fmt(run.exited)} of ${fmt(run.profiles)} profiles exited${members}: ${ok ? 'all exited' : 'MISSING EXITS'}`,
    );
  }
}
if (runs('learn')) {
  const result = await learnBench({
    profiles: quick ? 10_000 : 25_000,
    rounds,
    seconds,
    calls: quick ? 10_000 : 20_000,
    startupDecisions: quick ? 10_000 : 100_000,
  });
  console.log(
    `\nLearn: ${'examples/learn/scenario.yaml'} through the engine (tailor simulate), ${fmt(result.seconds, 1)} s`,
  );
  for (const line of result.report.trimEnd().split('\n')) console.log(`  ${line}`);
  console.log(
    `  decide latency, learning off then on in the same run: 50 actions, 20 placements, ${fmt(result.off.storedProfiles)} profiles in SQLite; one placement + next best action per decision`,
  );
  console.log('    on: every action and placement learns (goal, 2 predictors)');
  const p = (runs: DecideHttpFigures[], pick: 'p50' | 'p99'): number => median(runs.map((run) => run[pick]));
  for (const [label, run] of [
    ['off', result.off],
    ['on ', result.on],
  ] as const) {
    const { inProcess } = run;
    const base = median(run.baseline.map((r) => r.requestsPerSecond));
    const ours = median(run.tailor.map((r) => r.requestsPerSecond));
    const wrong = inProcess.failures + run.tailor.reduce((sum, r) => sum + r.wrong + r.non200, 0);
    const recorded = Object.entries(run.recorded)
      .filter(([name]) => name === 'Decision Made' || name === 'Content Shown')
      .map(([name, n]) => `${name} ${fmt(n)}`)
      .join(', ');
    console.log(
      `  learning ${label}  in process p50 ${fmt(inProcess.microseconds.p50)} µs, p99 ${fmt(inProcess.microseconds.p99)} µs, ${fmt(median(inProcess.perSecond))} decisions/s${label === 'on ' ? ' (model filled in every bin)' : ''}`,
    );
    console.log(
      `               HTTP /v1/decide p50 ${fmt(p(run.tailor, 'p50'))} ms, p99 ${fmt(p(run.tailor, 'p99'))} ms, ${fmt(ours)} req/s; bare route p99 ${fmt(p(run.baseline, 'p99'))} ms, ${fmt(base)} req/s (ratio ${fmt(ours / base, 2)}); /v1/decide/simulate (never records) p99 ${fmt(p(run.simulate, 'p99'))} ms`,
    );
    console.log(`               recorded ${recorded}; wrong or failed answers ${wrong}`);
  }
  const { alternating } = result;
  console.log(
    `  in one process, rounds alternating (${fmt(alternating.decisions)} decisions each, a visitor with no profile): learning off p50 ${fmt(alternating.off.p50, 1)} µs, p99 ${fmt(alternating.off.p99, 1)} µs; on p50 ${fmt(alternating.on.p50, 1)} µs, p99 ${fmt(alternating.on.p99, 1)} µs`,
  );
  const onP99 = p(result.on.tailor, 'p99');
  console.log(
    `  HTTP p99 with learning on: ${fmt(onP99)} ms (off ${fmt(p(result.off.tailor, 'p99'))} ms)  target < 10 ms: ${verdict(onP99 < 10)}`,
  );
  const { http } = result;
  const httpLine = (runs: DecideHttpFigures[]): string =>
    `p50 ${fmt(p(runs, 'p50'))} ms, p99 ${fmt(p(runs, 'p99'))} ms, ${fmt(median(runs.map((r) => r.requestsPerSecond)))} req/s`;
  const bareRate = median(http.baseline.map((r) => r.requestsPerSecond));
  const failed = [...http.off, ...http.on].reduce((sum, r) => sum + r.wrong + r.non200, 0);
  console.log(
    `  HTTP /v1/decide, rounds alternating (${fmt(http.off.length)} × ${seconds} s each, ${fmt(result.off.storedProfiles)} profiles each): learning off ${httpLine(http.off)}; on ${httpLine(http.on)}; bare route ${httpLine(http.baseline)}; ratio to bare off ${fmt(median(http.off.map((r) => r.requestsPerSecond)) / bareRate, 2)}, on ${fmt(median(http.on.map((r) => r.requestsPerSecond)) / bareRate, 2)}; wrong or failed answers ${failed}`,
  );
  const { startup } = result;
  console.log(
    `  start-up on ${fmt(startup.positions)} log positions of recorded decisions (learn example workspace, SQLite): ${fmt(startup.keptMs)} ms with the kept learning state (${fmt(startup.stateBytes / 1e6, 1)} MB, ${fmt(startup.keptDecisions)} decisions open to a goal), ${fmt(startup.countedMs)} ms counting the whole log (medians of ${rounds}, alternating)`,
  );
}
if (runs('decide')) {
  const result = await decideBench({
    profiles: Number(process.env.BENCH_DECIDE_PROFILES ?? (quick ? 25_000 : 100_000)),
    rounds,
    seconds,
    inProcessCalls: quick ? 10_000 : 20_000,
  });
  const { inProcess, baseline, tailor } = result;
  const share = (counts: Record<string, number>): string => {
    const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
    return Object.entries(counts)
      .map(([name, n]) => `${name} ${fmt((100 * n) / Math.max(total, 1))}%`)
      .join(', ');
  };
  console.log(
    `\nDecide: 20 placements (5 variants each), 50 actions, ${fmt(result.storedProfiles)} profiles in SQLite; one placement + next best action per decision`,
  );
  console.log(
    `  loaded through the engine: ${fmt(inProcess.events)} events in ${fmt(inProcess.ingestSeconds, 1)} s (${fmt(inProcess.events / inProcess.ingestSeconds)} events/s)`,
  );
  console.log(
    `  in process, decideFor: ${fmt(median(inProcess.perSecond))} decisions/s on one core, p50 ${fmt(inProcess.microseconds.p50)} µs, p99 ${fmt(inProcess.microseconds.p99)} µs per decision`,
  );
  console.log(
    `    outcomes ${share(inProcess.outcomes)}; placements with a variant ${fmt((100 * inProcess.variantsShown) / Math.max(inProcess.checked, 1))}%; wrong answers ${inProcess.failures} of ${fmt(inProcess.checked)}`,
  );
  const base = median(baseline.map((run) => run.requestsPerSecond));
  const ours = median(tailor.map((run) => run.requestsPerSecond));
  const p99 = median(tailor.map((run) => run.p99));
  const sum = (runs: typeof tailor, pick: (run: (typeof tailor)[number]) => number): number =>
    runs.reduce((total, run) => total + pick(run), 0);
  const outcomes: Record<string, number> = {};
  for (const run of tailor)
    for (const [name, n] of Object.entries(run.outcomes)) outcomes[name] = (outcomes[name] ?? 0) + n;
  console.log(
    `  HTTP POST /v1/decide, random known people (their anonymousId), ${result.connections} connections (after an untimed warm-up)`,
  );
  console.log(
    `  baseline, bare Fastify answering a fixed decision: ${fmt(base)} req/s, p50 ${fmt(median(baseline.map((r) => r.p50)))} ms, p99 ${fmt(median(baseline.map((r) => r.p99)))} ms, non-200 ${sum(baseline, (r) => r.non200)}`,
  );
  console.log(
    `  Tailor:                                           ${fmt(ours)} req/s, p50 ${fmt(median(tailor.map((r) => r.p50)))} ms, p99 ${fmt(p99)} ms, non-200 ${sum(tailor, (r) => r.non200)}`,
  );
  console.log(
    `    checked ${fmt(sum(tailor, (r) => r.checked))} answers: wrong ${sum(tailor, (r) => r.wrong)}; outcomes ${share(outcomes)}`,
  );
  console.log(
    `  ratio ${fmt(ours / base, 2)}  target ≥ 0.60: ${verdict(ours / base >= 0.6)}; p99 target < 10 ms: ${verdict(p99 < 10)}`,
  );
  const { simulate } = result;
  const simulated = median(simulate.map((run) => run.requestsPerSecond));
  console.log(
    `  without recording, admin /v1/decide/simulate (trace off): ${fmt(simulated)} req/s, p50 ${fmt(median(simulate.map((r) => r.p50)))} ms, p99 ${fmt(median(simulate.map((r) => r.p99)))} ms, non-200 ${sum(simulate, (r) => r.non200)}, wrong ${sum(simulate, (r) => r.wrong)} of ${fmt(sum(simulate, (r) => r.checked))}, ratio ${fmt(simulated / base, 2)}, logged ${fmt(sum(simulate, (r) => r.logged))}`,
  );
  const logged = median(tailor.map((run) => run.logged));
  const recorded = Object.entries(result.recorded)
    .map(([name, n]) => `${name} ${fmt(n)}`)
    .join(', ');
  console.log(
    `  recorded in the background: ${fmt(logged)} log positions per round (median) = ${fmt(logged / (ours * seconds), 2)} per request;`,
  );
  console.log(
    `    log ${fmt(result.logBefore)} → ${fmt(result.logAfter)} from server start to stop (warm-up included): ${recorded}; exposure log ${fmt(result.exposures)} rows`,
  );
  console.log('    the Tailor figures include this write load: /v1/decide always records');
}
if (runs('audiences')) {
  const people = Number(process.env.BENCH_AUDIENCE_PEOPLE ?? (quick ? 2_000 : 10_000));
  const result = await audiencesBench({ people, rate: 50, trickle: quick ? 100 : 500 });
  console.log(
    `\nAudiences: a segment mirrored on Meta Custom Audiences and Google Customer Match (local servers, in process); SQLite`,
  );
  console.log(
    `  ${fmt(people)} people entering at once: Meta ${fmt(result.perSecond.meta)} people/s, Google ${fmt(result.perSecond.google)} people/s (first ingest to the last person at the platform)`,
  );
  const { meta, google } = result.delay;
  console.log(
    `  entry → platform request, ${result.delay.rate} entries/s: Meta p50 ${fmt(meta.p50, 1)} ms, p99 ${fmt(meta.p99, 1)} ms; Google p50 ${fmt(google.p50, 1)} ms, p99 ${fmt(google.p99, 1)} ms  target < 60 s: ${verdict(Math.max(meta.p99, google.p99) < 60_000)}`,
  );
}

if (runs('activation')) {
  const result = await activationBench({
    rounds,
    seconds,
    rates: [100, 500],
    sends: Number(process.env.BENCH_ACTIVATION_SENDS ?? (quick ? 1_000 : 5_000)),
  });
  console.log(
    `\nActivation: trigger on a track event → decision → outbox → WhatsApp (local Cloud API, own process); tailor start, SQLite; rate_per_second ${fmt(result.ratePerSecond)} (default 50)`,
  );
  for (const rate of [100, 500]) {
    const runs = result.latency.filter((run) => run.rate === rate);
    const p99 = median(runs.map((run) => run.tailor.p99));
    const sum = (pick: (run: (typeof runs)[number]) => number): number =>
      runs.reduce((total, run) => total + pick(run), 0);
    console.log(`  ${rate} events/s for ${runs[0]?.seconds ?? seconds} s, each for a new person (open loop)`);
    console.log(
      `    baseline, bare POST to the provider (round trip): p50 ${fmt(median(runs.map((r) => r.baseline.p50)), 1)} ms, p99 ${fmt(median(runs.map((r) => r.baseline.p99)), 1)} ms`,
    );
    console.log(
      `    /v1/track 200 → provider received: p50 ${fmt(median(runs.map((r) => r.tailor.p50)), 1)} ms, p99 ${fmt(p99, 1)} ms, max ${fmt(Math.max(...runs.map((r) => r.tailor.max)), 1)} ms  target p99 < 100 ms: ${verdict(p99 < 100)}`,
    );
    console.log(
      `    /v1/track answered in p50 ${fmt(median(runs.map((r) => r.trackMs.p50)), 1)} ms, p99 ${fmt(median(runs.map((r) => r.trackMs.p99)), 1)} ms; ${fmt(sum((r) => r.sent))} sends, missing ${sum((r) => r.missing)}, non-200 ${sum((r) => r.non200)}`,
    );
  }
  for (const [name, label] of [
    ['burst', 'provider accepting all'],
    [
      'refused',
      'provider answering 429 (Retry-After: 1) to every other request, each send refused at most once',
    ],
  ] as const) {
    const runs = result[name];
    const sum = (pick: (run: (typeof runs)[number]) => number): number =>
      runs.reduce((total, run) => total + pick(run), 0);
    console.log(`  ${fmt(runs[0]?.sends ?? 0)} sends decided at once (${label}): first 200 → all received`);
    console.log(
      `    ${fmt(median(runs.map((r) => r.seconds)), 2)} s = ${fmt(median(runs.map((r) => r.sendsPerSecond)))} sends/s (the burst's batches acknowledged in ${fmt(median(runs.map((r) => r.ingestSeconds)), 2)} s)`,
    );
    if (name === 'refused')
      console.log(
        `    refusal → accepted retry at the provider: p50 ${fmt(median(runs.map((r) => r.retryGapMs.p50)) / 1000, 2)} s, p99 ${fmt(median(runs.map((r) => r.retryGapMs.p99)) / 1000, 2)} s (Retry-After asked 1 s)`,
      );
    const ok = sum((r) => r.duplicates) === 0 && sum((r) => r.missing) === 0;
    console.log(
      `    provider: ${fmt(sum((r) => r.accepted))} accepted, ${fmt(sum((r) => r.refused))} refused, ${sum((r) => r.other)} other; distinct send ids ${fmt(sum((r) => r.distinctAccepted))} of ${fmt(sum((r) => r.sends))}, duplicates ${sum((r) => r.duplicates)}, missing ${sum((r) => r.missing)}: ${ok ? 'each exactly once' : 'NOT EXACTLY ONCE'}`,
    );
  }
  const statuses = (counts: Record<string, number>): string =>
    Object.entries(counts)
      .map(([status, n]) => `${status} ${fmt(n)}`)
      .join(', ');
  const agree =
    result.store['sent'] === result.triggered &&
    Object.keys(result.store).length === 1 &&
    result.providerDistinct === result.triggered &&
    result.providerAccepted === result.triggered &&
    result.api['sent'] === Math.min(500, result.triggered) &&
    ['pending', 'sending', 'failed', 'dead'].every((status) => result.api[status] === 0);
  console.log(
    `  check: ${fmt(result.triggered)} triggering events; store ${statuses(result.store)}; local API accepted ${fmt(result.providerAccepted)} (${fmt(result.providerDistinct)} distinct); GET /v1/sends lists ${statuses(result.api)} (500 at most per status): ${agree ? 'agree' : 'DISAGREE'}`,
  );
  console.log(
    `  retries (store): written p50 ${fmt(result.retryLatenessMs.p50)} ms, p99 ${fmt(result.retryLatenessMs.p99)} ms after they fell due`,
  );
  console.log('  100k journey runs waiting on timers: see the journeys section');
}
if (runs('journeys')) {
  const journeyEnv = (workspace: string): Record<string, string> => ({
    BENCH_JOURNEY_WORKSPACE: workspace,
    ...(quick ? { BENCH_JOURNEY_PROFILES: '25000' } : {}),
  });
  const baseline = await runScript<JourneyRun>('bench/journeys.ts', {
    nodeArgs: ['--expose-gc'],
    env: journeyEnv('baseline'),
  });
  const journey = await runScript<JourneyRun>('bench/journeys.ts', {
    nodeArgs: ['--expose-gc'],
    env: journeyEnv('journey'),
  });
  const runsWaiting = Math.max(journey.waiting, 1);
  const grown = (run: JourneyRun): number => run.rssAfter - run.rssBefore;
  const heapGrown = (run: JourneyRun): number => run.heapAfter - run.heapBefore;
  console.log(
    `\nJourneys: ${fmt(journey.profiles)} runs of \`Trial Started\` → wait 1h → update traits.nudged → wait 1h, SQLite, fake clock in 250 ms steps`,
  );
  console.log('  no decide or send steps and no channels: no outbox load');
  console.log(
    `  baseline, ingesting the triggering events without the journey: ${fmt(baseline.profiles / baseline.ingestSeconds)} events/s; with it (runs start and wait): ${fmt(journey.profiles / journey.ingestSeconds)} events/s`,
  );
  console.log(
    `  resident size grew ${fmt(grown(baseline) / 2 ** 20)} MiB without the journey, ${fmt(grown(journey) / 2 ** 20)} MiB with ${fmt(journey.waiting)} runs waiting: ${fmt((grown(journey) - grown(baseline)) / runsWaiting)} bytes per waiting run`,
  );
  console.log(
    `  V8 heap in use grew ${fmt(heapGrown(baseline) / 2 ** 20)} MiB and ${fmt(heapGrown(journey) / 2 ** 20)} MiB: ${fmt((heapGrown(journey) - heapGrown(baseline)) / runsWaiting)} bytes per waiting run`,
  );
  console.log(
    `  stored: profile JSON ${fmt((journey.profileJsonBytes - baseline.profileJsonBytes) / runsWaiting)} bytes per run more (${fmt(baseline.profileJsonBytes / baseline.profiles)} → ${fmt(journey.profileJsonBytes / journey.profiles)} per profile); SQLite files ${fmt((journey.fileBytes - baseline.fileBytes) / runsWaiting)} bytes per run more`,
  );
  for (const [name, label] of [
    ['first', 'first wait ends, nudge runs'],
    ['second', 'second wait ends, run completes'],
  ] as const) {
    const pass = journey[name];
    if (pass === undefined) continue;
    const ingested = journey.profiles / journey.ingestSeconds;
    const advanced = journey.waiting / pass.seconds;
    console.log(
      `  ${label}: ${fmt(pass.seconds, 2)} s in total (with the view commit) = ${fmt(advanced)} runs/s (ratio ${fmt(advanced / ingested, 2)} to the ingest with the journey), ${fmt(pass.journeySteps / pass.seconds)} journey steps/s`,
    );
    console.log(
      `    ${fmt(pass.firings)} firings in ${fmt(pass.steps)} steps, wall time per firing p50 ${fmt(pass.firingMs.p50, 1)} ms, p99 ${fmt(pass.firingMs.p99, 1)} ms, max ${fmt(pass.firingMs.max, 1)} ms`,
    );
    console.log(
      `    lateness against the due moment (fake time): p50 ${fmt(pass.latenessMs.p50)} ms, p99 ${fmt(pass.latenessMs.p99)} ms, max ${fmt(pass.latenessMs.max)} ms`,
    );
  }
  const check = journey.check;
  const ok =
    check !== undefined &&
    journey.waiting === journey.profiles &&
    check.nudged === journey.profiles &&
    check.completedHistory === journey.profiles &&
    check.endedCompleted === journey.profiles &&
    check.stillActive === 0;
  console.log(
    `  check: ${fmt(journey.waiting)} runs waiting after the ingest; afterwards nudged ${fmt(check?.nudged ?? 0)}, \`Journey Ended\` completed ${fmt(check?.endedCompleted ?? 0)}, history completed ${fmt(check?.completedHistory ?? 0)}, still active ${fmt(check?.stillActive ?? 0)} of ${fmt(journey.profiles)}: ${ok ? 'all completed' : 'MISSING RUNS'}`,
  );
  console.log(
    '  both workspaces hold one segment on an event never sent, kept so the figures stay comparable with the first run',
  );
  const paused = await runScript<JourneyRun>('bench/journeys.ts', { env: journeyEnv('paused') });
  const pausedCheck = paused.check;
  const released =
    pausedCheck !== undefined &&
    paused.resume?.held === paused.profiles &&
    pausedCheck.nudged === paused.profiles &&
    pausedCheck.completedHistory === paused.profiles &&
    pausedCheck.stillActive === 0;
  if (paused.resume !== undefined && paused.first !== undefined) {
    const ingested = paused.profiles / paused.ingestSeconds;
    const perSecond = paused.resume.held / paused.resume.seconds;
    console.log(
      `  paused before the first wait ends: the wait ends for ${fmt(paused.waiting)} runs in ${fmt(paused.first.seconds, 2)} s and each is held before its update`,
    );
    console.log(
      `  resume: ${fmt(paused.resume.held)} held runs found (a scan of the stored profiles) and let go on in ${fmt(paused.resume.seconds, 2)} s with the view commit = ${fmt(perSecond)} runs/s (ratio ${fmt(perSecond / ingested, 2)} to the ingest with the journey)`,
    );
  }
  console.log(
    `  check (paused): nudged ${fmt(pausedCheck?.nudged ?? 0)}, history completed ${fmt(pausedCheck?.completedHistory ?? 0)}, still active ${fmt(pausedCheck?.stillActive ?? 0)} of ${fmt(paused.profiles)}: ${released ? 'all released and completed' : 'MISSING RUNS'}`,
  );
}
if (runs('console')) {
  const run = await runScript<ConsoleRun>('bench/console.ts', {
    env: quick ? { BENCH_CONSOLE_PROFILES: '50000' } : {},
  });
  console.log('\nConsole (console/dist, Chromium on this machine)');
  console.log(
    `  first load: ${run.files} files, JavaScript ${fmt(run.jsGzip / 1024, 1)} KiB gzip (${fmt(run.jsRaw / 1024)} KiB raw), CSS ${fmt(run.cssGzip / 1024, 1)} KiB gzip`,
  );
  console.log(
    `  profile page with ${fmt(run.profiles)} profiles in SQLite (built in ${fmt(run.ingestSeconds)} s), ${run.samples} people, each with a 40-event timeline:`,
  );
  console.log(
    `    found from the loaded console (hash change → profile and timeline painted): p50 ${fmt(run.inApp.p50)} ms, max ${fmt(run.inApp.max)} ms  target ≤ 200 ms: ${verdict(run.inApp.p50 <= 200)}`,
  );
  console.log(
    `    first load of /console/ straight to the profile (navigation → timeline shown, nothing cached): p50 ${fmt(run.firstLoad.p50)} ms, max ${fmt(run.firstLoad.max)} ms`,
  );
}
if (runs('sdk')) {
  const run = await runScript<SdkRun>('bench/sdk.ts', { env: quick ? { BENCH_SDK_PAGES: '5' } : {} });
  const kb = (bytes: number): string => fmt(bytes / 1024, 1);
  console.log('\nBrowser SDK (gzip -9; each bundled the same way: esbuild, minified, one script)');
  console.log(
    `  /sdk/tailor.js as served: ${kb(run.served.gzip)} KiB gzip (${kb(run.served.raw)} KiB raw)  target ≤ 10 KiB: ${verdict(run.served.gzip <= 10 * 1024)}`,
  );
  for (const bundle of run.bundles)
    console.log(`  ${bundle.name}: ${kb(bundle.gzip)} KiB gzip (${kb(bundle.raw)} KiB raw)`);
  const spread = (values: number[]): string =>
    `p50 ${fmt(median(values), 1)} ms, max ${fmt(Math.max(...values), 1)} ms`;
  console.log(
    `  time to the personalized banner in Chromium (navigation start → shown), ${run.pages} pages each, local Tailor:`,
  );
  console.log(`    cold (nothing cached, waits for /v1/decide): ${spread(run.coldMs)}`);
  console.log(`      of which /v1/decide's round trip (resource timing): ${spread(run.decideMs)}`);
  console.log(`    warm (next page, cached answer; decide refreshes it behind): ${spread(run.warmMs)}`);
}
