import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, installed by `scripts/ensure-chromium.sh` (which `.ci/run` calls). */
export const CHROMIUM_PATH = process.env.TAILOR_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Starts headless Chromium as the browser tests need it (playwright-core gives each launch a
 * fresh temporary profile): no background networking, since the machine's closed network would
 * refuse Chromium's own connections, many at a time. Close it with `browser.close()`.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: run scripts/ensure-chromium.sh (or set TAILOR_CHROMIUM)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
