/**
 * The console's figures: JavaScript (and CSS) shipped on first load, gzip, as `console/dist`
 * holds it; and how long a profile page takes to render in Chromium with
 * `BENCH_CONSOLE_PROFILES` profiles in the SQLite store (default 1M): from navigation to the
 * person's timeline on screen, on a first load (new browser context, nothing cached) and within
 * the loaded app (another person found). Prints one JSON line.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { hashKey } from '../src/engine/api-keys.ts';
import { Engine } from '../src/engine/engine.ts';
import { CONSOLE_DIST } from '../src/http/routes/console-routes.ts';
import { buildServer } from '../src/http/server.ts';
import { normalizeCall } from '../src/ingest/normalize-call.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../src/workspace/load-workspace.ts';
import { launchChromium } from '../test/support/chromium.ts';
import { benchWorkspaceYaml } from './workload.ts';

const PROFILES = Number(process.env.BENCH_CONSOLE_PROFILES ?? 1_000_000);
const SAMPLES = 7;
const BATCH = 2_500;
const TIMELINE_EVENTS = 40;

/** The files `index.html` loads at once (scripts, preloads, styles), each gzipped. */
function firstLoad(): { jsGzip: number; cssGzip: number; jsRaw: number; files: number } {
  const html = readFileSync(join(CONSOLE_DIST, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="\/console\/([^"]+)"/g)].map((m) => m[1] ?? '');
  let jsGzip = 0;
  let cssGzip = 0;
  let jsRaw = 0;
  for (const ref of refs) {
    const bytes = readFileSync(join(CONSOLE_DIST, ref));
    const gz = gzipSync(bytes).length;
    if (ref.endsWith('.js')) {
      jsGzip += gz;
      jsRaw += bytes.length;
    } else if (ref.endsWith('.css')) cssGzip += gz;
  }
  return { jsGzip, cssGzip, jsRaw, files: refs.length };
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

const dir = mkdtempSync(join(tmpdir(), 'tailor-bench-console-'));
try {
  const store = new SqliteStore({ path: join(dir, 'console.db') });
  // Loading a million people is one client pushing as fast as it can: let it wait for the disk instead of being refused.
  const engine = await Engine.open({
    store,
    checkpointIntervalMs: 60_000,
    commitEveryEvents: 200_000,
    maxQueueMs: 600_000,
  });
  await engine.applyWorkspace(parseWorkspaceYaml({ text: benchWorkspaceYaml('bench') }));
  await store.addKey({ workspaceId: 'bench', kind: 'admin', hash: hashKey('ak_bench_console') });
  const started = performance.now();
  for (let done = 0; done < PROFILES; done += BATCH) {
    const batch: Record<string, unknown>[] = [];
    for (let i = done; i < Math.min(done + BATCH, PROFILES); i += 1)
      batch.push({
        type: 'identify',
        userId: `user-${i}`,
        traits: { email: `person${i}@example.com`, city: 'Bangalore', plan: 'pro' },
        timestamp: '2026-11-01T10:00:00Z',
      });
    await engine.ingest(
      'bench',
      normalizeCall({ body: { batch }, call: 'batch', receivedAt: Date.now() }).events,
    );
    if (done % 100_000 === 0) process.stderr.write(`console: ${done.toLocaleString('en')} profiles\n`);
  }
  // The people looked up get a timeline of their own, spread through the store.
  const people = Array.from({ length: SAMPLES * 2 }, (_, i) =>
    Math.floor(((i + 0.5) * PROFILES) / (SAMPLES * 2)),
  );
  for (const person of people) {
    const batch = Array.from({ length: TIMELINE_EVENTS }, (_, n) => ({
      type: 'track',
      userId: `user-${person}`,
      event: n % 3 === 0 ? 'Product Viewed' : 'Page Viewed',
      properties: { n, path: `/p/${n}` },
      timestamp: new Date(Date.parse('2026-11-02T10:00:00Z') + n * 60_000).toISOString(),
    }));
    await engine.ingest(
      'bench',
      normalizeCall({ body: { batch }, call: 'batch', receivedAt: Date.now() }).events,
    );
  }
  await engine.commit();
  const ingestSeconds = (performance.now() - started) / 1000;
  const app = await buildServer({ engine });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  const signIn = "sessionStorage.setItem('tailor.adminKey', 'ak_bench_console')";
  const firstLoadMs: number[] = [];
  const inAppMs: number[] = [];
  try {
    for (let i = 0; i < SAMPLES; i += 1) {
      const context = await browser.newContext();
      await context.addInitScript(signIn);
      const page = await context.newPage();
      const person = people[i * 2] ?? 0;
      const at = performance.now();
      await page.goto(
        `${url}/console/#/profiles?ref=${encodeURIComponent(`email:person${person}@example.com`)}`,
      );
      await page
        .getByRole('row', { name: /Page Viewed/ })
        .first()
        .waitFor();
      firstLoadMs.push(performance.now() - at);
      const other = people[i * 2 + 1] ?? 0;
      // Timed inside the page, from the hash change to the timeline's first row painted.
      inAppMs.push(
        await page.evaluate<number>(`new Promise((done) => {
          const start = performance.now();
          window.location.hash = '#/profiles?ref=' + encodeURIComponent('email:person${other}@example.com');
          const check = () => {
            const rows = [...document.querySelectorAll('section[aria-labelledby="timeline"] tbody tr')];
            const heading = document.querySelector('article h2')?.textContent;
            if (heading === 'person${other}@example.com' && rows.some((row) => row.textContent.includes('Page Viewed')))
              requestAnimationFrame(() => done(performance.now() - start));
            else requestAnimationFrame(check);
          };
          check();
        })`),
      );
      await context.close();
    }
  } finally {
    await browser.close();
    await app.close();
    await engine.close();
  }
  console.log(
    JSON.stringify({
      ...firstLoad(),
      profiles: PROFILES,
      ingestSeconds,
      firstLoad: { p50: percentile(firstLoadMs, 50), max: Math.max(...firstLoadMs) },
      inApp: { p50: percentile(inAppMs, 50), max: Math.max(...inAppMs) },
      samples: SAMPLES,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
