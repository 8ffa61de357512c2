/**
 * The browser SDK's figures. Size: `tailor.js` as `/sdk/tailor.js` serves it, and Tailor's SDK,
 * analytics.js (`@segment/analytics-next`, all of its code: its CDN build loads some of it
 * later) and GrowthBook's JS SDK each bundled the same way (esbuild, minified, one script for a
 * `<script>` tag), gzipped at level 9. Speed: in Chromium, the time from navigation start to a
 * Bangalore visitor's banner shown personalized, on a cold page (new browser profile, nothing
 * cached: decide's round trip to a local `tailor start`) and a warm one (the next page, from the
 * cached answer). Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SDK_DIST } from '../sdk/build.ts';
import { bundlePage } from '../test/sdk/page-bundle.ts';
import { BANNER, shopPage, startSdkHarness } from '../test/sdk/sdk-harness.ts';

const PAGES = Number(process.env.BENCH_SDK_PAGES ?? 15);

/** A bundle's size, raw and gzipped. */
export interface BundleSize {
  name: string;
  raw: number;
  gzip: number;
}

/** What `bench/sdk.ts` prints. */
export interface SdkRun {
  served: BundleSize;
  bundles: BundleSize[];
  pages: number;
  coldMs: number[];
  warmMs: number[];
  /** The cold pages' `/v1/decide` round trips as the browser timed them (resource timing). */
  decideMs: number[];
}

const size = (name: string, code: string | Buffer): BundleSize => ({
  name,
  raw: Buffer.byteLength(code),
  gzip: gzipSync(code, { level: 9 }).length,
});

/** When the banner was revealed personalized, in ms since navigation start (logged before the SDK runs). */
const READY_LOG = `<script>new MutationObserver(function () {
  var el = document.getElementById('banner');
  if (el && el.hasAttribute('data-tailor-ready') && window.readyAt === undefined) {
    window.readyAt = performance.now();
    window.readyTitle = el.querySelector('h1').textContent;
  }
}).observe(document, { subtree: true, attributes: true, childList: true });</script>`;

const bundles = await Promise.all([
  bundlePage("import './sdk/src/global.ts';").then((code) =>
    size("Tailor's SDK (events + placements)", code),
  ),
  bundlePage(
    "import { AnalyticsBrowser } from '@segment/analytics-next'; window.AnalyticsBrowser = AnalyticsBrowser;",
  ).then((code) => size('analytics.js (@segment/analytics-next)', code)),
  bundlePage("import { GrowthBook } from '@growthbook/growthbook'; window.GrowthBook = GrowthBook;").then(
    (code) => size('GrowthBook JS SDK (@growthbook/growthbook)', code),
  ),
]);

const h = await startSdkHarness();
const served = size('/sdk/tailor.js', readFileSync(join(SDK_DIST, 'tailor.js')));
const page = shopPage({
  load: { context: { location: { city: 'Bangalore' } }, timeout: 2_000 },
  head: READY_LOG,
  body: BANNER,
});
const coldMs: number[] = [];
const warmMs: number[] = [];
const decideMs: number[] = [];
const DECIDE_TIMING =
  "performance.getEntriesByType('resource').find((e) => e.name.endsWith('/v1/decide'))?.duration";
try {
  for (let i = 0; i < PAGES; i++) {
    const context = await h.shop({ '/': page });
    const tab = await context.newPage();
    for (const into of [coldMs, warmMs]) {
      if (into === coldMs) await tab.goto(`${h.shopUrl}/`);
      else await tab.reload();
      await tab.waitForFunction('window.readyAt !== undefined');
      const [at, title] = (await tab.evaluate('[window.readyAt, window.readyTitle]')) as [number, string];
      if (title !== 'Namma Bengaluru sale') throw new Error(`banner showed ${title}`);
      into.push(at);
      if (into === coldMs) {
        await tab.waitForFunction(`${DECIDE_TIMING} !== undefined`);
        decideMs.push((await tab.evaluate(DECIDE_TIMING)) as number);
      }
    }
    await context.close();
  }
} finally {
  await h.close();
}
const run: SdkRun = { served, bundles, pages: PAGES, coldMs, warmMs, decideMs };
console.log(JSON.stringify(run));
