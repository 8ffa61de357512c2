/**
 * Condition evaluation: ten realistic targeting conditions over 1,000 varied profiles,
 * evaluated by Tailor's compiled closures and by GrowthBook's `evalCondition` (the
 * interpreter Tailor's semantics follow) in the same run. Prints nanoseconds per evaluation
 * for each and the ratio (target: Tailor ≥ 10× faster), medians of several rounds.
 */
import { pathToFileURL } from 'node:url';
import { type ConditionInterface, evalCondition } from '@growthbook/growthbook';
import { compileCondition } from '../src/conditions/compile-condition.ts';

const CONDITIONS: ConditionInterface[] = [
  { 'context.location.city': 'Bangalore' },
  { 'traits.plan': { $in: ['pro', 'team', 'enterprise'] } },
  { 'computed.orders': { $gte: 3 } },
  { $or: [{ 'traits.plan': 'free' }, { 'scores.intent': { $gt: 70 } }] },
  { 'traits.orders': { $elemMatch: { sku: 'A1', total: { $gte: 100 } } } },
  { 'traits.email': { $regex: '@(gmail|yahoo)\\.com$' } },
  { 'context.app.version': { $vgte: '2.10.0' } },
  {
    $and: [
      { lifecycle_stage: { $in: ['customer', 'repeat'] } },
      { $not: { 'risks.churn': { $gte: 0.7 } } },
      { 'consent.email': true },
    ],
  },
  { 'traits.phone': { $exists: true } },
  { 'traits.company.industry': 'Aerospace' },
];

const CITIES = ['Bangalore', 'Mumbai', 'Delhi', 'Pune', 'Chennai'];
const PLANS = ['free', 'pro', 'team', 'enterprise'];
const STAGES = ['lead', 'customer', 'repeat', 'churned'];
const DOMAINS = ['gmail.com', 'yahoo.com', 'example.com', 'corp.in'];

/** 1,000 profiles varied enough that every condition both hits and misses. */
function contexts(count: number): Record<string, unknown>[] {
  const list: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i += 1) {
    const orders = Array.from({ length: i % 4 }, (_, j) => ({
      sku: j === 0 && i % 3 === 0 ? 'A1' : `B${j}`,
      total: (i * 37 + j * 11) % 200,
    }));
    list.push({
      traits: {
        email: `person${i}@${DOMAINS[i % DOMAINS.length]}`,
        plan: PLANS[i % PLANS.length],
        ...(i % 2 === 0 ? { phone: `+9198${String(i).padStart(8, '0')}` } : {}),
        orders,
        company: i % 5 === 0 ? { industry: 'Retail', size: 50 } : undefined,
      },
      computed: { orders: i % 7, lifetime_value: (i * 13) % 5000 },
      scores: { intent: (i * 17) % 100 },
      risks: { churn: ((i * 7) % 100) / 100 },
      lifecycle_stage: STAGES[i % STAGES.length],
      consent: { email: i % 3 !== 0 },
      context: {
        location: { city: CITIES[i % CITIES.length], country: 'IN' },
        app: { version: `2.${i % 13}.${i % 4}` },
      },
    });
  }
  return list;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Nanoseconds per call of `run`, which makes `evaluations` evaluations and returns the matches. */
function time(run: () => number, evaluations: number): number {
  const started = process.hrtime.bigint();
  const matches = run();
  const elapsed = Number(process.hrtime.bigint() - started);
  if (matches < 0) throw new Error('unreachable');
  return elapsed / evaluations;
}

/** Runs the benchmark and returns the medians: ns per evaluation for each and their ratio. */
export async function conditionsBench(
  options: { rounds?: number; passes?: number } = {},
): Promise<{ tailorNs: number; growthbookNs: number; ratio: number }> {
  const rounds = options.rounds ?? 7;
  const passes = options.passes ?? 40;
  const growthbookPasses = Math.ceil(passes / 4);
  const profiles = contexts(1000);
  const compiled = CONDITIONS.map((condition) => compileCondition(condition));
  for (const [c, condition] of CONDITIONS.entries()) {
    for (const profile of profiles) {
      if (compiled[c]!(profile) !== evalCondition(profile, condition)) {
        throw new Error(`Tailor and GrowthBook disagree on condition ${c}: ${JSON.stringify(condition)}`);
      }
    }
  }
  // The same loops for both: each condition over every profile, `passes` times.
  const tailor = (): number => {
    let matches = 0;
    for (let pass = 0; pass < passes; pass += 1) {
      for (const evaluate of compiled) {
        for (let p = 0; p < profiles.length; p += 1) if (evaluate(profiles[p]!)) matches += 1;
      }
    }
    return matches;
  };
  const growthbook = (): number => {
    let matches = 0;
    for (let pass = 0; pass < growthbookPasses; pass += 1) {
      for (const condition of CONDITIONS) {
        for (let p = 0; p < profiles.length; p += 1) if (evalCondition(profiles[p]!, condition)) matches += 1;
      }
    }
    return matches;
  };
  const perPass = CONDITIONS.length * profiles.length;
  const tailorRuns: number[] = [];
  const growthbookRuns: number[] = [];
  for (let round = 0; round <= rounds; round += 1) {
    const tailorNs = time(tailor, passes * perPass);
    const growthbookNs = time(growthbook, growthbookPasses * perPass);
    // Round 0 warms both up and is not counted.
    if (round > 0) {
      tailorRuns.push(tailorNs);
      growthbookRuns.push(growthbookNs);
    }
  }
  const tailorNs = median(tailorRuns);
  const growthbookNs = median(growthbookRuns);
  return { tailorNs, growthbookNs, ratio: growthbookNs / tailorNs };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { tailorNs, growthbookNs, ratio } = await conditionsBench();
  console.log(`Conditions: ${CONDITIONS.length} conditions × 1,000 profiles, median ns per evaluation`);
  console.log(`  GrowthBook evalCondition: ${growthbookNs.toFixed(1)} ns`);
  console.log(`  Tailor compiled:          ${tailorNs.toFixed(1)} ns`);
  console.log(`  ratio ${ratio.toFixed(1)}×  target ≥ 10×: ${ratio >= 10 ? 'meets target' : 'BELOW TARGET'}`);
}
