import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listJourneys, setJourneyPaused } from '../../src/cli/journeys-command.ts';
import { fakeClock } from '../../src/clock.ts';
import { openDemoTailor, sendDemoStory } from '../support/demo-tailor.ts';
import { type TestTailor, tempDir } from '../support/test-tailor.ts';

const NOW = Date.parse('2026-03-10T06:00:00Z');

let t: TestTailor;
let dir: string;
let connection: { url: string; adminKey: string };

beforeEach(async () => {
  dir = tempDir('tailor-journeys-cli-');
  t = await openDemoTailor({ path: join(dir, 'tailor.db'), clock: fakeClock(NOW) });
  connection = { url: await t.app.listen({ host: '127.0.0.1', port: 0 }), adminKey: t.adminKey };
});

afterEach(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('tailor journeys', () => {
  it('lists each journey with its counts per step', async () => {
    await sendDemoStory(t, NOW);
    await t.engine.fireDueTimers();
    const text = await listJourneys({ connection });
    expect(text).toContain('checkout_recovery (Checkout recovery): 1 entered, 1 in progress');
    expect(text).toMatch(/^ {2}remind\s+decide\s+1 reached$/m);
    expect(text).toMatch(/^ {2}pause\s+wait\s+1 reached, 1 waiting$/m);
    expect(text).toMatch(/^ {2}nudge\s+send\s+0 reached$/m);
  });

  it('pauses and resumes a journey, and says when nothing changed', async () => {
    expect(await setJourneyPaused({ connection, key: 'checkout_recovery', paused: true })).toMatch(
      /checkout_recovery is paused: no new runs/,
    );
    expect(await listJourneys({ connection })).toMatch(/^checkout_recovery .*\[paused\]/m);
    expect(await setJourneyPaused({ connection, key: 'checkout_recovery', paused: true })).toBe(
      'checkout_recovery was already paused; nothing changed.\n',
    );
    expect(await setJourneyPaused({ connection, key: 'checkout_recovery', paused: false })).toMatch(
      /is running again/,
    );
    expect(await listJourneys({ connection })).not.toContain('[paused]');
  });

  it('reports an unknown journey with the server code', async () => {
    await expect(setJourneyPaused({ connection, key: 'nope', paused: true })).rejects.toMatchObject({
      code: 'JOURNEY_NOT_FOUND',
    });
  });
});
