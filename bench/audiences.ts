/**
 * The audiences benchmark, in process: an engine and its dispatcher on SQLite in a temporary
 * directory, one segment (`vip`) mirrored on Meta Custom Audiences and Google Ads Customer Match,
 * both local servers (src/activate/local/) in this process.
 *
 * - **People synced per second**: `people` people with advertising consent enter the segment
 *   (identify calls in engine batches of 500); from the first ingest to each platform holding
 *   all of them.
 * - **Entry to platform request**: people entering one at a time at `rate` per second; for each,
 *   from its ingest call resolving (the event durable and applied) to the platform receiving the
 *   request that carries them (for Google, the job's create request), p50 and p99.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startLocalGoogleAds } from '../src/activate/local/local-google-ads.ts';
import { startLocalMetaAds } from '../src/activate/local/local-meta-ads.ts';
import { DEMO_NETWORK_POLICY } from '../src/app/settings.ts';
import { Activation } from '../src/dispatch/activation.ts';
import { Engine } from '../src/engine/engine.ts';
import { TailorError } from '../src/errors.ts';
import { normalizeCall } from '../src/ingest/normalize-call.ts';
import { silentLogger } from '../src/logger.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../src/workspace/load-workspace.ts';

/** What one run measured. */
export interface AudiencesRun {
  people: number;
  /** People per second each platform received, from the first ingest to the last person. */
  perSecond: { meta: number; google: number };
  /** Entry to platform request (ms), at `rate` per second. */
  delay: { rate: number; meta: { p50: number; p99: number }; google: { p50: number; p99: number } };
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

/** Runs the benchmark once. */
export async function audiencesBench(input: {
  people: number;
  rate: number;
  trickle: number;
}): Promise<AudiencesRun> {
  const dir = mkdtempSync(join(tmpdir(), 'tailor-bench-audiences-'));
  const meta = await startLocalMetaAds();
  const google = await startLocalGoogleAds();
  const audience = meta.createAudience('VIP');
  const userList = google.createUserList('VIP');
  const store = new SqliteStore({ path: join(dir, 'tailor.db') });
  const engine = await Engine.open({ store, timerIntervalMs: 3_600_000 });
  await engine.applyWorkspace(
    parseWorkspaceYaml({
      network: DEMO_NETWORK_POLICY,
      text: `
workspace: { id: shop, name: Shop }
segments:
  - key: vip
    when: { traits.vip: true }
channels:
  meta_audiences:
    base_url: ${meta.baseUrl}
    access_token: ${meta.accessToken}
    audiences: { vip: "${audience}" }
  google_customer_match:
    base_url: ${google.baseUrl}
    customer_id: "${google.customerId}"
    developer_token: ${google.developerToken}
    access_token: ${google.accessToken}
    audiences: { vip: ${userList} }
`,
    }),
  );
  const activation = new Activation({
    engine,
    logger: silentLogger,
    env: {},
    pollMs: 50,
    network: DEMO_NETWORK_POLICY,
  });
  await activation.start();
  const person = (i: number) =>
    normalizeCall({
      body: {
        userId: `u${i}`,
        traits: { email: `p${i}@example.com`, vip: true },
        context: { consent: { advertising: true } },
      },
      call: 'identify',
      receivedAt: Date.now(),
    }).events;
  const ingest = async (from: number, to: number): Promise<void> => {
    const events = [];
    for (let i = from; i < to; i += 1) events.push(...person(i));
    for (;;) {
      try {
        await engine.ingest('shop', events);
        return;
      } catch (error) {
        if (!(error instanceof TailorError) || error.code !== 'OVERLOADED') throw error;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  const waitFor = async (check: () => boolean): Promise<number> => {
    while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
    return performance.now();
  };
  try {
    const started = performance.now();
    for (let i = 0; i < input.people; i += 500) await ingest(i, Math.min(input.people, i + 500));
    const [metaDone, googleDone] = await Promise.all([
      waitFor(() => meta.members(audience).size >= input.people),
      waitFor(() => google.members(userList).size >= input.people),
    ]);
    const perSecond = {
      meta: (input.people * 1000) / (metaDone - started),
      google: (input.people * 1000) / (googleDone - started),
    };
    const entered = new Map<string, number>();
    const first = input.people;
    // The platforms name the people they know: these, so each request can be tied to its entry.
    const trickle = Array.from({ length: input.trickle }, (_, k) => `p${first + k}@example.com`);
    meta.knownPeople(trickle);
    google.knownPeople(trickle);
    for (let k = 0; k < input.trickle; k += 1) {
      const i = first + k;
      const due = performance.now() + 1000 / input.rate;
      await ingest(i, i + 1);
      entered.set(`p${i}@example.com`, performance.now());
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const total = input.people + input.trickle;
    await waitFor(() => meta.members(audience).size >= total && google.members(userList).size >= total);
    const delays = (changes: { to: string; at: number }[]) =>
      changes.flatMap((change) => {
        const at = entered.get(change.to);
        return at === undefined ? [] : [Math.max(0, change.at - at)];
      });
    const metaDelays = delays(meta.accepted());
    const googleDelays = delays(google.accepted());
    return {
      people: input.people,
      perSecond,
      delay: {
        rate: input.rate,
        meta: { p50: percentile(metaDelays, 50), p99: percentile(metaDelays, 99) },
        google: { p50: percentile(googleDelays, 50), p99: percentile(googleDelays, 99) },
      },
    };
  } finally {
    await activation.stop();
    await engine.close();
    await meta.close();
    await google.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
