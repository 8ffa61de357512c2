/**
 * The activation benchmark: `tailor start` (SQLite in a temporary directory) on a workspace
 * whose decision trigger on `Cart Reminder Requested` decides a WhatsApp send for everyone
 * (`activationWorkspaceYaml`, `rate_per_second: 1000` instead of the default 50), sending to
 * the local WhatsApp Cloud API in a process of its own (bench/activation-provider.ts). People
 * are identified first (`/v1/batch`: a phone and WhatsApp consent), each person triggers once.
 *
 * - **Event to provider**: triggering `/v1/track` calls at a steady rate (open loop), each for
 *   a new person; for each, the time from its `200` to the provider receiving the send for that
 *   recipient. Both sides read `process.hrtime` (on Linux the machine-wide monotonic clock).
 *   Baseline, at the same rate: the round trip of a bare POST of a send body to the provider.
 * - **Sends per second**: `sends` triggering events at once (`/v1/batch` of 100, all in flight),
 *   from the first `200` to the provider having accepted all of them; then the same with the
 *   provider refusing every other request with `429` and `Retry-After: 1` (each send at most
 *   once), checked for exactly-once delivery against the provider, the store and `/v1/sends`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ProviderReceipt, ProviderReport } from './activation-provider.ts';
import { type Running, startProcess } from './processes.ts';
import {
  activationIdentify,
  activationPerson,
  activationTrack,
  activationWorkspaceYaml,
} from './workload.ts';

/** Latency percentiles in milliseconds. */
export interface LatencySpread {
  p50: number;
  p99: number;
  max: number;
}

/** One steady-rate run. */
export interface ActivationLatencyRun {
  rate: number;
  seconds: number;
  /** Bare POSTs to the provider: round trip. */
  baseline: LatencySpread;
  /** Triggering `/v1/track` calls: `200` to the provider receiving the send. */
  tailor: LatencySpread;
  /** `/v1/track` answer time, for reference. */
  trackMs: LatencySpread;
  sent: number;
  /** Triggering events whose send the provider had not received 30 s after the last one. */
  missing: number;
  non200: number;
}

/** One burst of sends. */
export interface ActivationBurstRun {
  sends: number;
  /** From the first `200` of the burst to the provider accepting the last send (s). */
  seconds: number;
  sendsPerSecond: number;
  /** From the first to the last `200` of the burst's `/v1/batch` calls (s). */
  ingestSeconds: number;
  /** Requests the provider answered: accepted, refused with 429, other. */
  accepted: number;
  refused: number;
  other: number;
  /** Distinct send ids among the accepted, and accepted sends that repeated one. */
  distinctAccepted: number;
  duplicates: number;
  /** Sends that never arrived. */
  missing: number;
  /** For sends refused with 429: from the refusal to the accepted retry, at the provider (ms). */
  retryGapMs: LatencySpread;
}

/** Everything the activation benchmark measured. */
export interface ActivationBenchResult {
  ratePerSecond: number;
  latency: ActivationLatencyRun[];
  burst: ActivationBurstRun[];
  refused: ActivationBurstRun[];
  /** The outbox at the end, from the store file: sends by status. */
  store: Record<string, number>;
  /** Triggering events sent in all (each should be one sent message). */
  triggered: number;
  /** The local API's own count of Tailor's messages accepted, and of distinct send ids among them (bare baseline sends left out). */
  providerAccepted: number;
  providerDistinct: number;
  /** Sends retried once: from the due moment of the retry to its outcome being written (ms). */
  retryLatenessMs: LatencySpread;
  /** `GET /v1/sends?status=…&limit=500`: how many each status listed (500 is the API's maximum). */
  api: Record<string, number>;
}

const WORKSPACE = 'bench';
const WRITE_KEY = 'wk_bench_activation';
const ADMIN_KEY = 'ak_bench_activation';
const WRITE_AUTH = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
const WA_TOKEN = 'bench-whatsapp-token';
const WA_PHONE_ID = '106540352242922';
const RATE_PER_SECOND = 1000;
const NS_PER_MS = 1_000_000n;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function spread(values: number[]): LatencySpread {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}

/** The earliest and the latest of some clock readings (0 when there are none). */
function bounds(values: bigint[]): { first: bigint; last: bigint } {
  let first = values[0] ?? 0n;
  let last = first;
  for (const value of values) {
    if (value < first) first = value;
    if (value > last) last = value;
  }
  return { first, last };
}

function elapsedMs(from: bigint, to: bigint): number {
  return Number(to - from) / Number(NS_PER_MS);
}

/** Calls `fire(i)` for i < count at `rate` per second, not waiting for answers (open loop). */
async function steady<T>(count: number, rate: number, fire: (i: number) => Promise<T>): Promise<T[]> {
  const start = performance.now();
  const pending: Promise<T>[] = [];
  for (let i = 0; i < count; i += 1) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait >= 1) await sleep(wait);
    pending.push(fire(i));
  }
  return Promise.all(pending);
}

async function post(
  url: string,
  body: unknown,
  authorization: string,
): Promise<{ status: number; at: bigint }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify(body),
  });
  const at = process.hrtime.bigint();
  await response.arrayBuffer();
  return { status: response.status, at };
}

/** Identifies people `from`..`from + count - 1` (phone, WhatsApp consent) in batches of 100. */
async function identify(url: string, from: number, count: number): Promise<void> {
  for (let start = 0; start < count; start += 1000) {
    const calls: Promise<{ status: number }>[] = [];
    for (let batch = start; batch < Math.min(count, start + 1000); batch += 100) {
      const size = Math.min(100, count - batch);
      const events = Array.from({ length: size }, (_, i) => activationIdentify(from + batch + i));
      calls.push(post(`${url}/v1/batch`, { batch: events }, WRITE_AUTH));
    }
    for (const { status } of await Promise.all(calls))
      if (status !== 200) throw new Error(`identify batch answered ${status}`);
  }
}

/** The provider's receipts since the last call, and its totals. */
async function receipts(provider: string): Promise<ProviderReport> {
  const response = await fetch(`${provider}/_bench/receipts`);
  return (await response.json()) as ProviderReport;
}

/** Collects receipts until every recipient in `wanted` has an accepted one, or `timeoutMs` passes. */
async function collect(provider: string, wanted: Set<string>, timeoutMs: number): Promise<ProviderReceipt[]> {
  const all: ProviderReceipt[] = [];
  const accepted = new Set<string>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const receipt of (await receipts(provider)).receipts) {
      all.push(receipt);
      if (receipt.status === 200 && wanted.has(receipt.to)) accepted.add(receipt.to);
    }
    if (accepted.size >= wanted.size || Date.now() > deadline) return all;
    await sleep(50);
  }
}

/** One steady run: baseline round trips, then triggering tracks, at `rate` for `seconds`. */
async function latencyRun(input: {
  tailor: string;
  provider: string;
  rate: number;
  seconds: number;
  firstPerson: number;
}): Promise<ActivationLatencyRun> {
  const { tailor, provider, rate, seconds, firstPerson } = input;
  const count = Math.round(rate * seconds);
  const messages = `${provider}/v21.0/${WA_PHONE_ID}/messages`;
  const bare = await steady(count, rate, async (i) => {
    const started = process.hrtime.bigint();
    const body = {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: `1555${String(i).padStart(7, '0')}`,
      type: 'text',
      text: { body: 'Hi there, your cart is waiting' },
      biz_opaque_callback_data: `bare-${firstPerson + i}`,
    };
    const { status, at } = await post(messages, body, `Bearer ${WA_TOKEN}`);
    if (status !== 200) throw new Error(`the provider answered ${status} to a bare send`);
    return elapsedMs(started, at);
  });
  await receipts(provider);
  await identify(tailor, firstPerson, count);
  const tracks = await steady(count, rate, async (i) => {
    const n = firstPerson + i;
    const started = process.hrtime.bigint();
    // A request that fails (connect timeout under overload) counts as a non-200.
    const answer = await post(`${tailor}/v1/track`, activationTrack(n), WRITE_AUTH).catch(() => ({
      status: 0,
      at: process.hrtime.bigint(),
    }));
    return { n, ...answer, ms: elapsedMs(started, answer.at) };
  });
  const ok = tracks.filter((track) => track.status === 200);
  const wanted = new Set(ok.map((track) => activationPerson(track.n).digits));
  const arrived = new Map<string, bigint>();
  for (const receipt of await collect(provider, wanted, 30_000)) {
    const at = BigInt(receipt.at);
    const seen = arrived.get(receipt.to);
    if (seen === undefined || at < seen) arrived.set(receipt.to, at);
  }
  const latencies: number[] = [];
  for (const track of ok) {
    const at = arrived.get(activationPerson(track.n).digits);
    if (at !== undefined) latencies.push(elapsedMs(track.at, at));
  }
  return {
    rate,
    seconds,
    baseline: spread(bare),
    tailor: spread(latencies),
    trackMs: spread(tracks.map((track) => track.ms)),
    sent: ok.length,
    missing: ok.length - latencies.length,
    non200: tracks.length - ok.length,
  };
}

/** One burst: `sends` triggering events at once, until the provider accepted every send. */
async function burstRun(input: {
  tailor: string;
  provider: string;
  sends: number;
  firstPerson: number;
  refuse: boolean;
}): Promise<ActivationBurstRun> {
  const { tailor, provider, sends, firstPerson } = input;
  await identify(tailor, firstPerson, sends);
  await fetch(`${provider}/_bench/mode?refuse=${input.refuse ? 1 : 0}`, { method: 'POST' });
  await receipts(provider);
  const calls: Promise<{ status: number; at: bigint }>[] = [];
  for (let batch = 0; batch < sends; batch += 100) {
    const size = Math.min(100, sends - batch);
    const events = Array.from({ length: size }, (_, i) => activationTrack(firstPerson + batch + i));
    calls.push(post(`${tailor}/v1/batch`, { batch: events }, WRITE_AUTH));
  }
  const answers = await Promise.all(calls);
  if (answers.some((answer) => answer.status !== 200)) throw new Error('a burst batch was refused');
  const { first, last: lastAnswer } = bounds(answers.map((answer) => answer.at));
  const wanted = new Set(Array.from({ length: sends }, (_, i) => activationPerson(firstPerson + i).digits));
  const got = await collect(provider, wanted, 180_000);
  await fetch(`${provider}/_bench/mode?refuse=0`, { method: 'POST' });
  const accepted = got.filter((receipt) => receipt.status === 200 && wanted.has(receipt.to));
  const ids = new Set(accepted.map((receipt) => receipt.data));
  const last = bounds([first, ...accepted.map((receipt) => BigInt(receipt.at))]).last;
  const seconds = elapsedMs(first, last) / 1000;
  const refusedAt = new Map(got.filter((r) => r.status === 429).map((r) => [r.data, BigInt(r.at)]));
  const retryGaps = accepted.flatMap((receipt) => {
    const at = refusedAt.get(receipt.data);
    return at === undefined ? [] : [elapsedMs(at, BigInt(receipt.at))];
  });
  return {
    sends,
    seconds,
    sendsPerSecond: ids.size / seconds,
    ingestSeconds: elapsedMs(first, lastAnswer) / 1000,
    accepted: accepted.length,
    refused: got.filter((receipt) => receipt.status === 429).length,
    other: got.filter((receipt) => receipt.status !== 200 && receipt.status !== 429).length,
    distinctAccepted: ids.size,
    duplicates: accepted.length - ids.size,
    missing: sends - new Set(accepted.map((receipt) => receipt.to)).size,
    retryGapMs: spread(retryGaps),
  };
}

/** Sends by status in the store file, read on a connection of its own. */
function storeCounts(path: string): Record<string, number> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db
      .prepare('SELECT status, count(*) AS n FROM sends WHERE workspace_id = ? GROUP BY status')
      .all(WORKSPACE) as { status: string; n: number }[];
    return Object.fromEntries(rows.map((row) => [row.status, row.n]));
  } finally {
    db.close();
  }
}

/** For sends retried once: how long after its due moment the retry finished (ms, store times). */
function retryLateness(path: string): LatencySpread {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db
      .prepare(
        'SELECT updated_at - next_attempt_at AS late FROM sends WHERE workspace_id = ? AND attempts = 2',
      )
      .all(WORKSPACE) as { late: number }[];
    return spread(rows.map((row) => row.late));
  } finally {
    db.close();
  }
}

/** How many sends `GET /v1/sends` lists for each status (at most 500 each: the route's maximum). */
async function apiCounts(tailor: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const status of ['pending', 'sending', 'sent', 'failed', 'dead']) {
    const response = await fetch(`${tailor}/v1/sends?status=${status}&limit=500`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    const body = (await response.json()) as { sends?: unknown[] };
    counts[status] = body.sends?.length ?? -1;
  }
  return counts;
}

/**
 * Starts the provider and `tailor start`, warms up (one untimed second at the lowest rate), then
 * runs `rounds` rounds: each steady rate for `seconds`, a burst of `sends`, and a burst of
 * `sends` with the provider refusing every other request. Waits for the outbox to settle and
 * reads the final counts.
 */
export async function activationBench(input: {
  rounds: number;
  seconds: number;
  rates: number[];
  sends: number;
}): Promise<ActivationBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tailor-bench-activation-'));
  const config = join(dir, 'tailor.yaml');
  const dataDir = join(dir, 'data');
  const servers: Running[] = [];
  try {
    const provider = await startProcess({
      args: ['--import', 'tsx', 'bench/activation-provider.ts'],
      env: { BENCH_WA_TOKEN: WA_TOKEN, BENCH_WA_PHONE_ID: WA_PHONE_ID },
      ready: /listening on (\S+)/,
    });
    servers.push(provider);
    writeFileSync(
      config,
      activationWorkspaceYaml({
        id: WORKSPACE,
        baseUrl: `${provider.url}/v21.0`,
        phoneNumberId: WA_PHONE_ID,
        accessToken: WA_TOKEN,
        ratePerSecond: RATE_PER_SECOND,
      }),
    );
    const server = await startProcess({
      args: ['bin/tailor.js', 'start', '--port', '0', '--data-dir', dataDir, '--config', config],
      env: { TAILOR_WRITE_KEY: WRITE_KEY, TAILOR_ADMIN_KEY: ADMIN_KEY, TAILOR_LOG_LEVEL: 'warn' },
      ready: /Tailor is running on (http:\/\/\S+)/,
    });
    servers.push(server);
    let person = 0;
    let bareSends = 0;
    const lowest = Math.min(...input.rates);
    process.stderr.write('activation: warming up\n');
    await latencyRun({
      tailor: server.url,
      provider: provider.url,
      rate: lowest,
      seconds: 1,
      firstPerson: 0,
    });
    person += lowest;
    bareSends += lowest;
    const latency: ActivationLatencyRun[] = [];
    const burst: ActivationBurstRun[] = [];
    const refused: ActivationBurstRun[] = [];
    for (let round = 0; round < input.rounds; round += 1) {
      for (const rate of input.rates) {
        process.stderr.write(`activation: round ${round + 1}/${input.rounds}, ${rate}/s\n`);
        const run = { tailor: server.url, provider: provider.url, rate, seconds: input.seconds };
        latency.push(await latencyRun({ ...run, firstPerson: person }));
        person += Math.round(rate * input.seconds);
        bareSends += Math.round(rate * input.seconds);
      }
      process.stderr.write(`activation: round ${round + 1}/${input.rounds}, bursts of ${input.sends}\n`);
      const run = { tailor: server.url, provider: provider.url, sends: input.sends };
      burst.push(await burstRun({ ...run, firstPerson: person, refuse: false }));
      person += input.sends;
      refused.push(await burstRun({ ...run, firstPerson: person, refuse: true }));
      person += input.sends;
    }
    const database = join(dataDir, 'tailor.db');
    let store = storeCounts(database);
    for (let wait = 0; wait < 100 && (store['sent'] ?? 0) < person; wait += 1) {
      await sleep(100);
      store = storeCounts(database);
    }
    const totals = await receipts(provider.url);
    return {
      ratePerSecond: RATE_PER_SECOND,
      latency,
      burst,
      refused,
      store,
      retryLatenessMs: retryLateness(database),
      triggered: person,
      providerAccepted: totals.accepted - bareSends,
      providerDistinct: totals.distinctAccepted - bareSends,
      api: await apiCounts(server.url),
    };
  } finally {
    for (const server of servers.reverse()) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
