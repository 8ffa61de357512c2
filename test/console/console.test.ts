import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverWebhook, whatsAppReplyWebhook } from '../../src/activate/local/local-whatsapp.ts';
import { DEMO_WORKSPACE_FILE } from '../../src/app/settings.ts';
import { DEMO_WHATSAPP } from '../../src/cli/demo-providers.ts';
import { CONSOLE_DIST } from '../../src/http/routes/console-routes.ts';
import { launchChromium } from '../support/chromium.ts';
import { tempDir } from '../support/test-tailor.ts';
import { CONSOLE_ADMIN_KEY, type ConsoleDemo, openConsoleDemo } from './console-demo.ts';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** Set to a folder to save a screenshot of each page there (how docs/images/console-*.png are made). */
const SHOTS = process.env.TAILOR_CONSOLE_SCREENSHOTS;

let tailor: ConsoleDemo;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!readFileSync(join(CONSOLE_DIST, 'index.html'), 'utf8').includes('<script'))
    throw new Error('console/dist has no app: run npm run build:console');
  tailor = await openConsoleDemo({ path: join(tempDir('tailor-console-'), 'tailor.db'), now: NOW });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (error) => {
    throw error;
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await tailor?.close();
});

/** The admin API as the test reads it, to compare with what the console shows. */
async function admin<T>(path: string): Promise<T> {
  const response = await fetch(`${tailor.url}${path}`, {
    headers: { authorization: `Bearer ${CONSOLE_ADMIN_KEY}` },
  });
  return (await response.json()) as T;
}

/** Runs axe-core in the page and returns its serious and critical violations (rule ids and targets). */
async function seriousViolations(): Promise<{ id: string; targets: string[] }[]> {
  await page.evaluate(AXE);
  const violations = await page.evaluate<{ id: string; impact: string; nodes: { target: string[] }[] }[]>(
    'axe.run().then((result) => result.violations)',
  );
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, targets: v.nodes.map((node) => node.target.join(' ')) }));
}

/** The text of the element that has the keyboard focus. */
function focused(): Promise<string> {
  return page.evaluate<string>("document.activeElement?.textContent ?? ''");
}

/** An admin API call with a JSON body, as the test makes it beside the console. */
async function adminPost<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(`${tailor.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CONSOLE_ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as T;
}

async function openPage(name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

async function checkPage(shot: string): Promise<void> {
  expect(await seriousViolations()).toEqual([]);
  if (SHOTS !== undefined)
    await page.screenshot({ path: join(SHOTS, `console-${shot}.png`), fullPage: true });
}

describe('the console, in Chromium, on the demo workspace', () => {
  it('refuses an unknown key, then signs in with the admin key and keeps it for the tab only', async () => {
    await page.goto(`${tailor.url}/console/`);
    await page.getByLabel('Admin key').fill('wk_console_test');
    await page.getByLabel('Admin key').press('Enter');
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/not known/);
    if (SHOTS !== undefined) await page.screenshot({ path: join(SHOTS, 'console-sign-in.png') });
    await page.getByLabel('Admin key').fill(CONSOLE_ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    const stored = await page.evaluate(
      "({ session: sessionStorage.getItem('tailor.adminKey'), local: localStorage.length, cookies: document.cookie })",
    );
    expect(stored).toEqual({ session: CONSOLE_ADMIN_KEY, local: 0, cookies: '' });
  });

  it('shows the overview: profiles and segment sizes as the API counts them', async () => {
    const overview = await admin<{ profiles: number; segments: { name: string; size: number }[] }>(
      '/v1/overview',
    );
    const profiles = page.getByRole('region', { name: 'Profiles' });
    await expect(profiles.textContent()).resolves.toContain(String(overview.profiles));
    const row = page.getByRole('row', { name: /High-intent leads/ });
    const size = overview.segments.find((s) => s.name === 'High-intent leads')?.size;
    await expect(row.getByRole('cell').nth(1).textContent()).resolves.toBe(String(size));
    await checkPage('overview');
  });

  it('finds Meera by email and shows her WhatsApp reply and the derived Checkout Abandoned on her timeline', async () => {
    await openPage('Profiles');
    await page.getByLabel('Identifier type').selectOption('email');
    await page.getByLabel('Value').fill(tailor.demo.cast.meera.email);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('heading', { level: 2, name: 'Meera' }).waitFor();
    const timeline = page.getByRole('region', { name: 'Timeline' });
    const reply = timeline.getByRole('row', { name: /Message Replied/ }).first();
    await expect(reply.textContent()).resolves.toMatch(/whatsapp/);
    const abandoned = timeline.getByRole('row', { name: /Checkout Abandoned/ });
    await expect(abandoned.textContent()).resolves.toMatch(/derived/);
    const identifiers = page.getByRole('region', { name: 'Identifiers' });
    await expect(identifiers.textContent()).resolves.toContain(tailor.demo.cast.meera.phone);
    await checkPage('profile');
  });

  it('opens a segment and shows its size, and previews a draft condition before saving it', async () => {
    await openPage('Segments');
    await page.getByRole('link', { name: 'High-intent leads' }).click();
    const { size } = await admin<{ size: number }>('/v1/segments/high_intent_leads/size');
    await expect(page.getByTestId('segment-size').textContent()).resolves.toBe(String(size));
    // Its size over time, ending at the size now, and who entered it lately, as the API counts them.
    const history = await admin<{
      points: { size: number; entries: number }[];
      changes: { profile_id: string; change: string }[];
    }>('/v1/segments/high_intent_leads/history?bucket=hour&changes=20');
    expect(history.points.at(-1)?.size).toBe(size);
    expect(history.changes.length).toBeGreaterThan(0);
    const entries = history.points.reduce((sum, point) => sum + point.entries, 0);
    const chart = page.getByRole('img', { name: /^Size over the last 48 hours/ });
    await expect(chart.getAttribute('aria-label')).resolves.toContain(
      `to ${size} members; ${entries} entries`,
    );
    // The figures behind the chart, in a table folded under it.
    const rows = page.getByTestId('history-table').locator('tbody tr');
    await expect(rows.count()).resolves.toBe(48);
    await expect(rows.last().locator('td').last().textContent()).resolves.toBe(String(size));
    const latest = page.getByRole('table', { name: 'Latest entries and exits' }).getByRole('row');
    await expect(latest.count()).resolves.toBe(history.changes.length + 1);
    const first = history.changes[0];
    await expect(latest.nth(1).textContent()).resolves.toContain(`${first?.change}${first?.profile_id}`);
    await page.getByLabel(/Condition \(JSON/).fill('{ "computed.preferred_channel": "whatsapp" }');
    await page.getByRole('button', { name: 'Preview size' }).click();
    const preview = await adminPost<{ matched: number }>('/v1/segments/preview', {
      when: { 'computed.preferred_channel': 'whatsapp' },
    });
    await expect(page.getByTestId('preview-size').textContent()).resolves.toBe(String(preview.matched));
    await checkPage('segment');
  });

  it('simulates a decision for Arjun and names the contact rule that stopped it', async () => {
    await openPage('Decisions');
    await page.getByLabel(/Identifier \(type:value\)/).fill(`user_id:${tailor.demo.cast.arjun.userId}`);
    await page.getByRole('button', { name: 'Simulate' }).click();
    await page.getByRole('heading', { name: 'Every action considered' }).waitFor();
    const answer = await adminPost<{
      action: { trace: { candidates: { channels?: { allowed: boolean; reason?: string }[] }[] } };
    }>('/v1/decide/simulate', { identifier: `user_id:${tailor.demo.cast.arjun.userId}` });
    const refusals = answer.action.trace.candidates.flatMap((c) =>
      (c.channels ?? []).filter((ch) => !ch.allowed).map((ch) => ch.reason ?? ''),
    );
    const cap = refusals.find((reason) => /cap/i.test(reason));
    expect(cap).toBeDefined();
    const text = (await page.locator('.decision').textContent()) ?? '';
    expect(text).toContain(cap);
    await checkPage('decision');
    // An anonymous visitor described by the context alone: the placements as the API fills them.
    await page.getByLabel('An anonymous visitor').check();
    await page.getByRole('button', { name: 'Simulate' }).click();
    await page.getByText('No known profile').waitFor();
    const visitor = await adminPost<{ placements: Record<string, { variant: string | null }> }>(
      '/v1/decide/simulate',
      { context: { location: { city: 'Bangalore' } }, placements: ['home_banner'] },
    );
    const banner = page.getByRole('row', { name: /^home_banner/ });
    await expect(banner.getByRole('cell').first().textContent()).resolves.toBe(
      visitor.placements.home_banner?.variant ?? 'none (default)',
    );
  });

  it('pauses and resumes the checkout recovery journey', async () => {
    await openPage('Journeys');
    const state = page.getByTestId('state-checkout_recovery');
    await expect(state.textContent()).resolves.toBe('running');
    await page.getByRole('button', { name: 'Pause Checkout recovery' }).click();
    await page.getByRole('button', { name: 'Resume Checkout recovery' }).waitFor();
    await expect(state.textContent()).resolves.toBe('paused');
    const paused = await admin<{ journeys: { key: string; paused: boolean }[] }>('/v1/journeys');
    expect(paused.journeys.find((j) => j.key === 'checkout_recovery')?.paused).toBe(true);
    await checkPage('journeys');
    await page.getByRole('button', { name: 'Resume Checkout recovery' }).click();
    await page.getByRole('button', { name: 'Pause Checkout recovery' }).waitFor();
    const resumed = await admin<{ journeys: { key: string; paused: boolean }[] }>('/v1/journeys');
    expect(resumed.journeys.find((j) => j.key === 'checkout_recovery')?.paused).toBe(false);
  });

  it('lists the dead letters and re-drives one', async () => {
    await openPage('Sends');
    await page.getByLabel('Status').selectOption('dead');
    await page.getByRole('button', { name: /^Redrive the whatsapp send/ }).click();
    await page.getByRole('status').filter({ hasText: 'Re-driven' }).waitFor();
    const send = await admin<{ status: string; attempts: number }>(
      `/v1/sends/${encodeURIComponent(tailor.deadLetterId)}`,
    );
    expect(send).toMatchObject({ status: 'pending', attempts: 0 });
    await page.getByLabel('Status').selectOption('');
    await checkPage('sends');
  });

  it('streams events as they arrive (tracking calls and channel feedback), and the ones refused with why', async () => {
    await openPage('Live events');
    await expect(page.getByTestId('live-state').textContent()).resolves.toBe('live');
    const auth = `Basic ${Buffer.from('wk_console_test:').toString('base64')}`;
    const reply = await fetch(`${tailor.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        batch: [
          { type: 'track', event: 'Console Watched', userId: 'live-viewer' },
          { type: 'track', userId: 'live-viewer' },
        ],
      }),
    });
    expect(reply.status).toBe(200);
    await page.getByRole('row', { name: /Console Watched/ }).waitFor();
    await page.getByRole('row', { name: /MISSING_EVENT_NAME/ }).waitFor();
    // Feedback from a channel arrives in the feed too: a WhatsApp reply through the signed webhook.
    const webhook = await deliverWebhook(
      `${tailor.url}/v1/webhooks/demo/whatsapp`,
      whatsAppReplyWebhook({
        phoneNumberId: DEMO_WHATSAPP.phoneNumberId,
        from: tailor.demo.cast.meera.phone,
        text: 'Watching the console',
        timestamp: NOW,
      }),
      DEMO_WHATSAPP.appSecret,
    );
    expect(webhook.status).toBe(200);
    await page.getByRole('row', { name: /Message Replied/ }).waitFor();
    await checkPage('live');
  });

  it('checks a workspace file before applying it: problems at line and column, then the changes, then applied', async () => {
    await openPage('Workspace');
    const before = await admin<{ version: number }>('/v1/workspace');
    await expect(page.getByTestId('workspace-version').textContent()).resolves.toBe(String(before.version));
    const file = readFileSync(DEMO_WORKSPACE_FILE, 'utf8');
    const yaml = page.getByLabel('Workspace file (tailor.yaml)');
    await yaml.fill(`${file}\nsegments: [oops\n`);
    await page.getByRole('button', { name: 'Check (dry run)' }).click();
    const problems = page.getByRole('list', { name: 'Problems' });
    await expect(problems.textContent()).resolves.toMatch(/\d+:\d+/);
    await checkPage('workspace-problems');
    await yaml.fill(file.replace('name: High-intent leads', 'name: Hot leads'));
    await page.getByRole('button', { name: 'Check (dry run)' }).click();
    const changes = page.getByRole('list', { name: 'Changes' });
    await expect(changes.textContent()).resolves.toContain('segments.high_intent_leads');
    await checkPage('workspace');
    await page.getByRole('button', { name: 'Apply and rebuild profiles' }).click();
    await page.getByRole('status').filter({ hasText: 'Applied' }).waitFor();
    const after = await admin<{ version: number; definition: { segments: { key: string; name: string }[] } }>(
      '/v1/workspace',
    );
    expect(after.version).toBe(before.version + 1);
    expect(after.definition.segments.find((s) => s.key === 'high_intent_leads')?.name).toBe('Hot leads');

    // The applied file is in the history, and the version before it differs from it by the name.
    await page
      .getByTestId(`version-${after.version}`)
      .filter({ hasText: 'applied through the API' })
      .waitFor();
    await page
      .getByRole('button', { name: `Compare version ${before.version} with the one in force` })
      .click();
    const diff = page.getByTestId('diff');
    await diff.locator('del', { hasText: 'name: High-intent leads' }).waitFor();
    await expect(diff.locator('ins').allTextContents()).resolves.toEqual(['+     name: Hot leads']);
    await expect(page.getByTestId('diff-summary').textContent()).resolves.toMatch(
      /^The files as applied: 1 line/,
    );
    // The demo's channel secrets are written in its file: the versions the page reads show them
    // redacted, and none reaches the page.
    const kept = await admin<{ text: string }>(`/v1/workspace/versions/${before.version}`);
    expect(kept.text).toContain('access_token: "[redacted]"');
    const shown = (await page.getByRole('region', { name: 'Version history' }).textContent()) ?? '';
    expect(shown).toContain('unchanged line(s)');
    for (const secret of [
      'demo-whatsapp-access-token',
      'demo-twilio-auth-token',
      'demo-meta-ads-access-token',
    ])
      expect(`${kept.text}${shown}`).not.toContain(secret);
    await checkPage('workspace-history');
    // Roll back to it: a dry run first, then the rollback, a new version made of the kept file.
    await page.getByRole('button', { name: `Check rolling back to version ${before.version}` }).click();
    const rollback = page.getByRole('list', { name: 'Rollback changes' });
    await expect(rollback.textContent()).resolves.toContain('segments.high_intent_leads');
    await page
      .getByRole('button', { name: `Roll back to version ${before.version} and rebuild profiles` })
      .click();
    await page.getByRole('status').filter({ hasText: 'Rolled back' }).waitFor();
    const restored = await admin<{
      version: number;
      definition: { segments: { key: string; name: string }[] };
    }>('/v1/workspace');
    expect(restored.version).toBe(after.version + 1);
    expect(restored.definition.segments.find((s) => s.key === 'high_intent_leads')?.name).toBe(
      'High-intent leads',
    );
    await page
      .getByTestId(`version-${restored.version}`)
      .filter({ hasText: `rollback of version ${before.version}` })
      .waitFor();
  });

  it('is keyboard reachable: the skip link first, then every page of the navigation', async () => {
    // A fresh document (the tab's session keeps the key), so focus starts at the top.
    await page.goto('about:blank');
    await page.goto(`${tailor.url}/console/#/overview`);
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toBe('Skip to content');
    const reached: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      await page.keyboard.press('Tab');
      reached.push(await focused());
    }
    expect(reached).toEqual([
      'Overview',
      'Live events',
      'Profiles',
      'Segments',
      'Decisions',
      'Journeys',
      'Sends',
      'Workspace',
    ]);
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toBe('Sign out');
    await page.keyboard.press('Enter');
    await page.getByLabel('Admin key').waitFor();
    await expect(page.evaluate("sessionStorage.getItem('tailor.adminKey')")).resolves.toBeNull();
  });
});
