import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/demo-tailor.ts';
import { bundlePage } from './page-bundle.ts';
import {
  BANNER,
  type Exposures,
  type ProfileView,
  type SdkHarness,
  shopPage,
  startSdkHarness,
  WRITE_KEY,
} from './sdk-harness.ts';

let h: SdkHarness;
/** The real analytics.js (`@segment/analytics-next`), bundled as a site would, as `window.AnalyticsBrowser`. */
let analyticsJs: string;
/** A React app on the SDK's React binding: the Bangalore visitor's banner through `usePlacement`. */
let reactApp: string;
beforeAll(async () => {
  [h, analyticsJs, reactApp] = await Promise.all([
    startSdkHarness(),
    bundlePage(
      "import { AnalyticsBrowser } from '@segment/analytics-next'; window.AnalyticsBrowser = AnalyticsBrowser;",
    ),
    bundlePage(`
      import { createRoot } from 'react-dom/client';
      import { Tailor } from './sdk/src/index.ts';
      import { TailorProvider, usePlacement } from './sdk/src/react.ts';
      const tailor = new Tailor();
      tailor.load({ writeKey: '${WRITE_KEY}', host: window.tailorHost, context: { location: { city: 'Bangalore' } } });
      function Banner() {
        const { variant, content, ready, ref } = usePlacement('home_banner');
        (window.renders ??= []).push([ready, content?.title ?? null]);
        return <section id="banner" ref={ref} data-ready={String(ready)} data-variant={variant ?? ''}>
          <h1>{String(content?.title ?? 'Monsoon sale')}</h1></section>;
      }
      window.tailorApp = tailor;
      createRoot(document.getElementById('root')).render(<TailorProvider tailor={tailor}><Banner /></TailorProvider>);
    `),
  ]);
}, 90_000);
afterAll(async () => {
  await h?.close();
});

const js = <T = unknown>(page: Page, expression: string): Promise<T> =>
  page.evaluate(expression) as Promise<T>;

/** analytics.js loaded from this page, its settings from Tailor (`cdnURL`), as `window.analytics`. */
const ANALYTICS_PAGE = (extra = '') => `<!doctype html><html><head><script src="/analytics.js"></script>
<script>window.analytics = AnalyticsBrowser.load({ writeKey: '${WRITE_KEY}', cdnURL: 'TAILOR_URL' });</script>
${extra}</head><body>${BANNER}</body></html>`;

const analyticsAnonymousId = (page: Page) =>
  js<string>(page, 'analytics.user().then((u) => u.anonymousId())');

describe('analytics.js and Tailor side by side', () => {
  it('lets a page send its events with analytics.js while Tailor fills its placements, for one visitor', async () => {
    const context = await h.shop({
      '/analytics.js': analyticsJs,
      '/': ANALYTICS_PAGE(`<script src="TAILOR_URL/sdk/tailor.js"></script>
<script>tailor.load({ writeKey: '${WRITE_KEY}', host: 'TAILOR_URL', context: { location: { city: 'Bangalore' } }, timeout: 2000 });</script>`),
    });
    const page = await context.newPage();
    await page.goto(`${h.shopUrl}/?utm_source=mail`);
    await js(page, "analytics.track('Compat Viewed', { sku: 'SKU-7' })");
    const id = await analyticsAnonymousId(page);
    expect(await js(page, 'tailor.user().anonymousId()')).toBe(id);
    await page.waitForSelector('#banner[data-tailor-ready]');
    expect(await page.locator('#banner h1').textContent()).toBe('Namma Bengaluru sale');
    const profile = await eventually(async () => {
      const found = await h.admin<
        ProfileView & { recent_events: { name?: string; properties?: Record<string, unknown> }[] }
      >(`/v1/profiles/anonymous_id:${id}`);
      return found?.recent_events.some((e) => e.name === 'Compat Viewed') ? found : undefined;
    }, 10_000);
    expect(profile.recent_events.find((e) => e.name === 'Compat Viewed')?.properties).toEqual({
      sku: 'SKU-7',
    });
    // The banner seen at the top of the page is recorded for the same visitor.
    await eventually(async () => {
      const shown = await h.admin<Exposures>('/v1/placements/home_banner/exposures?limit=1000');
      return shown?.exposures.some((e) => e.anonymous_id === id) ? true : undefined;
    }, 5_000);
    await context.close();
  });

  it('keeps the visitor when a site switches from analytics.js to Tailor, and back', async () => {
    const pages = {
      '/analytics.js': analyticsJs,
      '/ajs': ANALYTICS_PAGE(),
      '/tailor': shopPage({ load: {}, body: BANNER }),
    };
    const context = await h.shop(pages);
    const page = await context.newPage();
    await page.goto(`${h.shopUrl}/ajs`);
    await js(page, "analytics.identify('USR_SWITCH', { plan: 'pro' })");
    const fromAjs = await analyticsAnonymousId(page);
    await page.goto(`${h.shopUrl}/tailor`);
    expect(await js(page, 'tailor.user().anonymousId()')).toBe(fromAjs);
    expect(await js(page, 'tailor.user().id()')).toBe('USR_SWITCH');
    expect(await js(page, 'tailor.user().traits()')).toEqual({ plan: 'pro' });
    await context.close();

    const back = await h.shop(pages);
    const next = await back.newPage();
    await next.goto(`${h.shopUrl}/tailor`);
    await js(next, "tailor.identify('USR_BACK', { plan: 'free' })");
    const fromTailor = await js<string>(next, 'tailor.user().anonymousId()');
    await next.goto(`${h.shopUrl}/ajs`);
    expect(await analyticsAnonymousId(next)).toBe(fromTailor);
    expect(await js(next, 'analytics.user().then((u) => u.id())')).toBe('USR_BACK');
    await back.close();
  });
});

describe('the React binding', () => {
  it('renders a placement through usePlacement, from the cache on the next page, and records it once seen', async () => {
    const context = await h.shop({
      '/app.js': reactApp,
      '/': `<!doctype html><html><head><script>window.tailorHost = 'TAILOR_URL';</script></head>
<body><div id="root"></div><script src="/app.js"></script></body></html>`,
    });
    const page = await context.newPage();
    await page.goto(`${h.shopUrl}/`);
    await page.waitForSelector('#banner[data-ready="true"]');
    expect(await page.locator('#banner h1').textContent()).toBe('Namma Bengaluru sale');
    expect(await page.getAttribute('#banner', 'data-variant')).toBe('bangalore');
    // A first visit has nothing cached: the first render has no content yet.
    expect((await js<unknown[]>(page, 'renders'))[0]).toEqual([false, null]);
    const id = await js<string>(page, 'tailorApp.user().anonymousId()');
    await eventually(async () => {
      const shown = await h.admin<Exposures>('/v1/placements/home_banner/exposures?limit=1000');
      return shown?.exposures.some((e) => e.anonymous_id === id) ? true : undefined;
    }, 5_000);

    // A returning visit: the first render already has the cached answer, before decide answers.
    await page.reload();
    await page.waitForSelector('#banner[data-ready="true"]');
    expect((await js<unknown[]>(page, 'renders'))[0]).toEqual([false, 'Namma Bengaluru sale']);
    await context.close();
  });
});

describe('the demo page', () => {
  it('shows the Bangalore banner, joins the visit on login, and thanks a returning customer', async () => {
    const context = await h.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${h.tailor.url}/demo?city=Bangalore`);
    await page.waitForSelector('[data-tailor-placement="home_banner"][data-tailor-ready]');
    expect(await page.locator('.banner h1').textContent()).toBe('Namma Bengaluru sale');
    const id = await js<string>(page, 'tailor.user().anonymousId()');
    await page.click('#login');
    await page.click('.buy >> nth=0');
    await page.click('.buy >> nth=1');
    const profile = await eventually(async () => {
      const found = await h.admin<ProfileView>('/v1/profiles/user_id:USR_ADA');
      return found?.identifiers['anonymous_id']?.includes(id) ? found : undefined;
    }, 5_000);
    expect(profile.traits['first_name']).toBe('Ada');
    await expect
      .poll(() => page.getAttribute('[data-tailor-placement="offer_block"]', 'data-tailor-variant'), {
        timeout: 5_000,
      })
      .toBe('loyalty');
    // The next page shows the loyalty block at once, from the answer cached on this one.
    await page.reload();
    await page.waitForSelector('[data-tailor-placement="offer_block"][data-tailor-ready]');
    expect(await page.locator('.offer h2').textContent()).toBe('Thanks for shopping with us again');
    await context.close();
  });
});
