/**
 * `npm run bench`: the pipeline, HTTP and memory benchmarks, each against a baseline measured
 * in the same run, printed as medians with the targets from the project's goals.
 * `BENCH_QUICK=1` runs a smaller version (for a smoke check, not for figures).
 */
import { conditionsBench } from './conditions.ts';
import { httpBench } from './http.ts';
import { runScript } from './processes.ts';

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

interface PipelineRun {
  events: number;
  compute: number;
  baseline: number;
  pipeline: number;
  profiles: number;
}
interface MemoryRun {
  profiles: number;
  rssBefore: number;
  rssAfter: number;
  seconds: number;
}

const env: Record<string, string> = quick
  ? { BENCH_PIPELINE_EVENTS: '60000', BENCH_PEOPLE: '20000', BENCH_MEMORY_PROFILES: '50000' }
  : {};

console.log(
  `Tailor benchmarks (${quick ? 'quick' : 'full'}: ${rounds} round(s), medians) on Node ${process.version}\n`,
);

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
  `  engine end to end (log + view commits):    ${fmt(pipeline)} events/s (ratio ${fmt(pipeline / logOnly, 2)})`,
);
console.log(
  `  target ≥ 50,000 events/s on one core: in memory ${verdict(compute >= 50_000)}; end to end ${verdict(pipeline >= 50_000)}\n`,
);

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
  console.log(
    `  ratio ${fmt(ratio, 2)}${name === 'track' ? `  target ≥ 0.70: ${verdict(ratio >= 0.7)}` : ''}\n`,
  );
}

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

const conditions = await conditionsBench(quick ? { rounds: 3, passes: 10 } : {});
console.log('\nConditions: 10 targeting conditions × 1,000 profiles (ns per evaluation)');
console.log(`  baseline, GrowthBook evalCondition: ${fmt(conditions.growthbookNs, 1)} ns`);
console.log(`  Tailor compiled conditions:         ${fmt(conditions.tailorNs, 1)} ns`);
console.log(`  ratio ${fmt(conditions.ratio, 1)}×  target ≥ 10×: ${verdict(conditions.ratio >= 10)}`);
