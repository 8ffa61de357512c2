import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalWhatsApp, startLocalWhatsApp } from '../../src/activate/local/local-whatsapp.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { activationWorkspaceYaml } from '../support/activation-tailor.ts';
import { eventually } from '../support/demo-tailor.ts';
import { type SpawnedTailor, spawnTailor, stopTailor } from '../support/spawn-tailor.ts';
import { basic, bearer, tempDir } from '../support/test-tailor.ts';

const PEOPLE = 200;
const WRITE_KEY = 'wk_send_crash';
const ADMIN_KEY = 'ak_send_crash';
const MINUTE = 60_000;

let dir: string;
let wa: LocalWhatsApp;
let tailor: SpawnedTailor | undefined;

beforeAll(async () => {
  dir = tempDir('tailor-send-crash-');
  wa = await startLocalWhatsApp();
});
afterAll(async () => {
  if (tailor !== undefined) await stopTailor(tailor, 'SIGKILL');
  await wa.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Person `i`: signed up 40 minutes ago with a phone, a WhatsApp id and consent, checkout 35 minutes ago. */
function person(i: number): Record<string, unknown>[] {
  const userId = `CRASH_${i}`;
  const phone = `+9198451${String(i).padStart(5, '0')}`;
  const now = Date.now();
  return [
    {
      type: 'identify',
      userId,
      messageId: `${userId}-identify`,
      traits: { first_name: `Person${i}`, phone },
      context: {
        consent: { categoryPreferences: { whatsapp: true } },
        externalIds: [{ id: phone, type: 'whatsapp', collection: 'users', encoding: 'none' }],
      },
      timestamp: new Date(now - 40 * MINUTE).toISOString(),
    },
    {
      type: 'track',
      userId,
      messageId: `${userId}-checkout`,
      event: 'Checkout Started',
      properties: { plan: 'annual' },
      timestamp: new Date(now - 35 * MINUTE).toISOString(),
    },
  ];
}

async function start(): Promise<SpawnedTailor> {
  return spawnTailor({
    dataDir: dir,
    env: {
      TAILOR_CONFIG: join(dir, 'tailor.yaml'),
      TAILOR_WRITE_KEY: WRITE_KEY,
      TAILOR_ADMIN_KEY: ADMIN_KEY,
    },
  });
}

describe('a Tailor killed while sends are flowing', () => {
  it('loses no send after kill -9 and a restart; repeats at most the sends in flight', async () => {
    writeFileSync(
      join(dir, 'tailor.yaml'),
      activationWorkspaceYaml({
        quietHours: false,
        channels: {
          whatsapp: {
            base_url: wa.baseUrl,
            phone_number_id: wa.phoneNumberId,
            access_token: wa.accessToken,
            app_secret: 'local-app-secret',
            verify_token: 'local-verify-token',
            rate_per_second: 40,
          },
        },
      }),
    );
    tailor = await start();
    const url = tailor.url;
    for (let first = 0; first < PEOPLE; first += 50) {
      const batch = Array.from({ length: 50 }, (_, i) => person(first + i)).flat();
      const reply = await fetch(`${url}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basic(WRITE_KEY) },
        body: JSON.stringify({ batch }),
      });
      expect(reply.status, await reply.text()).toBe(200);
    }

    // Kill -9 once the provider has some of the sends, but not all.
    await eventually(async () => (wa.accepted().length >= 20 ? true : undefined), 20_000);
    await stopTailor(tailor, 'SIGKILL');
    tailor = undefined;
    const atKill = wa.accepted().length;
    expect(atKill).toBeLessThan(PEOPLE);

    const store = new SqliteStore({ path: join(dir, 'tailor.db') });
    const inFlight = (await store.listSends({ workspaceId: 'demo', status: 'sending', limit: 1_000 })).length;
    const recorded = (await store.listSends({ workspaceId: 'demo', limit: 1_000 })).length;
    await store.close();

    tailor = await start();
    const restarted = tailor.url;
    await eventually(async () => {
      const reply = await fetch(`${restarted}/v1/sends?limit=500`, {
        headers: { authorization: bearer(ADMIN_KEY) },
      });
      const { sends } = (await reply.json()) as { sends: { status: string }[] };
      return sends.length === PEOPLE && sends.every((send) => send.status === 'sent') ? true : undefined;
    }, 60_000);

    const accepted = wa.accepted();
    const distinct = new Set(accepted.map((message) => message.body.biz_opaque_callback_data));
    const duplicates = accepted.length - distinct.size;
    console.log(
      `send-crash: ${atKill} of ${PEOPLE} at the provider at the kill, ${recorded} sends recorded, ` +
        `${inFlight} sending; after the restart ${accepted.length} deliveries, ${distinct.size} distinct, ` +
        `${duplicates} duplicates`,
    );
    expect(new Set(accepted.map((message) => message.to)).size).toBe(PEOPLE);
    expect(distinct.size).toBe(PEOPLE);
    expect(duplicates).toBeLessThanOrEqual(inFlight);
  }, 180_000);
});
