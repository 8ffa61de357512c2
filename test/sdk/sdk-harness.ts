import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext } from 'playwright-core';
import { buildSdk } from '../../sdk/build.ts';
import { launchChromium } from '../support/chromium.ts';
import { type SpawnedTailor, spawnTailor, stopTailor } from '../support/spawn-tailor.ts';
import { tempDir } from '../support/test-tailor.ts';

export const WRITE_KEY = 'wk_sdk_browser';
export const ADMIN_KEY = 'ak_sdk_browser';
export const IDENTITY_SECRET = 'sdk-identity-secret';
/** The shop's origin: another site than Tailor's (so CORS is exercised too), on loopback as Tailor is here, since Chromium keeps public pages from loopback. */
export const SHOP = 'http://shop.localhost:8123';

/** A real Tailor (the demo workspace) and a real Chromium, shared by one test file. */
export interface SdkHarness {
  tailor: SpawnedTailor;
  /**
   * The shop's origin (`http://localhost:<port>`): another site than Tailor's (127.0.0.1), so CORS
   * is exercised, served by a real local server, since Chromium keeps other pages off loopback.
   */
  shopUrl: string;
  browser: Browser;
  /** A fresh browser profile (cookies, localStorage); until the next call, the shop serves `pages` by path. */
  shop(pages: Record<string, string>): Promise<BrowserContext>;
  /** `GET` on Tailor's admin API; undefined on 404. */
  admin<T>(path: string): Promise<T | undefined>;
  close(): Promise<void>;
}

/** Builds the SDK from its sources, then starts Tailor and Chromium side by side. */
export async function startSdkHarness(): Promise<SdkHarness> {
  let pages: Record<string, string> = {};
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const body = pages[path];
    response.writeHead(body === undefined ? 404 : 200, {
      'content-type': path.endsWith('.js') ? 'text/javascript' : 'text/html',
    });
    response.end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const shopUrl = `http://localhost:${(server.address() as AddressInfo).port}`;
  const [tailor, browser] = await Promise.all([
    buildSdk().then(() =>
      spawnTailor({
        dataDir: tempDir('tailor-sdk-'),
        env: {
          TAILOR_WRITE_KEY: WRITE_KEY,
          TAILOR_ADMIN_KEY: ADMIN_KEY,
          TAILOR_SECRET_IDENTITY: IDENTITY_SECRET,
        },
      }),
    ),
    launchChromium(),
  ]);
  return {
    tailor,
    shopUrl,
    browser,
    async shop(served) {
      pages = Object.fromEntries(
        Object.entries(served).map(([path, body]) => [path, body.replaceAll('TAILOR_URL', tailor.url)]),
      );
      return browser.newContext();
    },
    async admin<T>(path: string) {
      const response = await fetch(`${tailor.url}${path}`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      if (response.status === 404) return undefined;
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
    async close() {
      await browser.close();
      await stopTailor(tailor);
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A shop page: the SDK by a synchronous tag in `<head>`, loaded with `load` (JSON), then `body`. */
export function shopPage(input: {
  load: Record<string, unknown>;
  head?: string;
  body: string;
  script?: string;
}): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>
${input.head ?? ''}
<script src="TAILOR_URL/sdk/tailor.js"></script>
<script>tailor.load(Object.assign({ writeKey: '${WRITE_KEY}', host: 'TAILOR_URL' }, ${JSON.stringify(input.load)}));</script>
</head><body>${input.body}<script>${input.script ?? ''}</script></body></html>`;
}

/** The demo workspace's home banner, with the default variant as its markup. */
export const BANNER = `<section id="banner" data-tailor-placement="home_banner">
<h1 data-tailor-field="title">Monsoon sale</h1><p data-tailor-field="body">Up to 40% off, this week only</p></section>`;

/** The profile fields the tests read. */
export interface ProfileView {
  id: string;
  identifiers: Record<string, string[]>;
  traits: Record<string, unknown>;
  consent: Record<string, { granted: boolean; source: string }>;
}

/** An exposure page as the admin API answers it. */
export interface Exposures {
  exposures: { placement: string; variant: string; anonymous_id: string | null; user_id: string | null }[];
}
