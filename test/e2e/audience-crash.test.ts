import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGoogleAds } from '../../src/activate/local/local-google-ads.ts';
import type { LocalMetaAds } from '../../src/activate/local/local-meta-ads.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { adsWorkspaceYaml, startVipPlatforms, vipChannelsYaml } from '../activate/ads/ads-tailor.ts';
import { eventually } from '../support/demo-tailor.ts';
import { freePort, type SpawnedTailor, spawnTailor, stopTailor } from '../support/spawn-tailor.ts';
import { basic, bearer, tempDir } from '../support/test-tailor.ts';

const PEOPLE = 5_000;
const PER_REQUEST = 250;
const WRITE_KEY = 'wk_audience_crash';
const ADMIN_KEY = 'ak_audience_crash';
/** Every tenth person leaves the segment after entering it. */
const leaves = (i: number) => i % 10 === 0;
const emailOf = (i: number) => `person.${i}@example.com`;

let dir: string;
let port: number;
let meta: LocalMetaAds;
let google: LocalGoogleAds;
let audience: string;
let userList: string;
let tailor: SpawnedTailor | undefined;

beforeAll(async () => {
  dir = tempDir('tailor-audience-crash-');
  port = await freePort();
  ({ meta, audience, google, userList } = await startVipPlatforms());
  // Both platforms know everyone, so each change they record names the person's email.
  const everyone = Array.from({ length: PEOPLE }, (_, i) => emailOf(i));
  meta.knownPeople(everyone);
  google.knownPeople(everyone);
});
afterAll(async () => {
  if (tailor !== undefined) await stopTailor(tailor, 'SIGKILL');
  await meta.close();
  await google.close();
  rmSync(dir, { recursive: true, force: true });
});

function start(): Promise<SpawnedTailor> {
  return spawnTailor({
    dataDir: dir,
    port,
    env: {
      TAILOR_CONFIG: join(dir, 'tailor.yaml'),
      TAILOR_WRITE_KEY: WRITE_KEY,
      TAILOR_ADMIN_KEY: ADMIN_KEY,
      TAILOR_ALLOW_HTTP_HOSTS: '127.0.0.1',
    },
  });
}

/**
 * The calls a client makes, in order: everyone enters `vip` (with advertising consent), then every
 * tenth person leaves it. Each event has its own message id, so a retried request is deduplicated.
 */
function requests(): Record<string, unknown>[][] {
  const identify = (i: number, vip: boolean) => ({
    type: 'identify',
    userId: `u${i}`,
    messageId: `u${i}-${vip ? 'enter' : 'leave'}`,
    traits: { email: emailOf(i), vip },
    context: { consent: { categoryPreferences: { advertising: true } } },
  });
  const calls: Record<string, unknown>[][] = [];
  for (let first = 0; first < PEOPLE; first += PER_REQUEST)
    calls.push(Array.from({ length: PER_REQUEST }, (_, k) => identify(first + k, true)));
  const leaving = Array.from({ length: PEOPLE }, (_, i) => i).filter(leaves);
  for (let first = 0; first < leaving.length; first += PER_REQUEST)
    calls.push(leaving.slice(first, first + PER_REQUEST).map((i) => identify(i, false)));
  return calls;
}

/** Posts `calls` from `from` on, in order, until one fails (the Tailor died); returns how many were taken. */
async function post(url: string, calls: Record<string, unknown>[][], from: number): Promise<number> {
  let next = from;
  for (; next < calls.length; next += 1) {
    try {
      const reply = await fetch(`${url}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basic(WRITE_KEY) },
        body: JSON.stringify({ batch: calls[next] }),
      });
      await reply.text();
      if (reply.status !== 200) break;
    } catch {
      break;
    }
  }
  return next;
}

/** How many times each person was added to and removed from a platform's list, in order. */
function changesByPerson(accepted: readonly { to: string; text: string }[]): Map<string, string[]> {
  const changes = new Map<string, string[]>();
  for (const { to, text } of accepted) {
    const op = text.startsWith('added') ? 'add' : 'remove';
    changes.set(to, [...(changes.get(to) ?? []), op]);
  }
  return changes;
}

describe('an audience sync killed with kill -9', () => {
  it('loses no one after a restart: each member reaches both platforms, exits still remove', async () => {
    writeFileSync(
      join(dir, 'tailor.yaml'),
      adsWorkspaceYaml(vipChannelsYaml({ meta, audience, google, userList })),
    );
    const calls = requests();
    tailor = await start();
    const first = tailor;
    // The client posts while the sync runs; the kill comes once Meta has taken some of the adds.
    const killAt = [300, 1_000, 2_500][Math.floor(Math.random() * 3)] ?? 300;
    const posting = post(first.url, calls, 0);
    await eventually(async () => (meta.accepted().length >= killAt ? true : undefined), 40_000);
    await stopTailor(first, 'SIGKILL');
    tailor = undefined;
    const taken = await posting;
    const metaAtKill = meta.accepted().length;
    const googleAtKill = google.accepted().length;
    expect(metaAtKill).toBeLessThan(PEOPLE);

    // What the kill left in flight: claimed and handed to a platform, no answer written.
    const store = new SqliteStore({ path: join(dir, 'tailor.db') });
    const sending = await store.listSends({ workspaceId: 'shop', status: 'sending', limit: 20_000 });
    await store.close();
    const inDoubt = (channel: string) =>
      sending.filter((send) => send.channel === channel && send.calledAt !== undefined).length;

    tailor = await start();
    const restarted = tailor.url;
    // The client retries the request the kill cut off, and goes on.
    expect(await post(restarted, calls, taken)).toBe(calls.length);

    const expected = new Set(
      Array.from({ length: PEOPLE }, (_, i) => i)
        .filter((i) => !leaves(i))
        .map(emailOf),
    );
    type Destination = { channel: string; synced: number; pending: number; failed: number; outdated: number };
    let destinations: Destination[] = [];
    await eventually(async () => {
      const reply = await fetch(`${restarted}/v1/audiences`, {
        headers: { authorization: bearer(ADMIN_KEY) },
      });
      destinations = ((await reply.json()) as { destinations: Destination[] }).destinations;
      const settled = destinations.length === 2 && destinations.every((d) => d.pending === 0);
      return settled &&
        meta.members(audience).size === expected.size &&
        google.members(userList).size === expected.size
        ? true
        : undefined;
    }, 60_000);

    for (const [name, platform, doubt] of [
      ['meta', meta, inDoubt('meta_audiences')],
      ['google', google, inDoubt('google_customer_match')],
    ] as const) {
      const changes = changesByPerson(platform.accepted());
      const total = [...changes.values()].reduce((sum, ops) => sum + ops.length, 0);
      // Each person's distinct changes: an add (unless it was still waiting when they left, and was
      // dropped as outdated), and for a leaver one remove.
      const distinct = [...changes.values()].reduce((sum, ops) => sum + new Set(ops).size, 0);
      console.log(
        `audience-crash ${name}: killed after ${metaAtKill} Meta / ${googleAtKill} Google changes, ${doubt} in doubt; ` +
          `${total} changes for ${changes.size} people, ${total - distinct} repeated`,
      );
      // Every person reached the platform; the only repeats are changes the kill left in doubt,
      // sent again after the restart (adding or removing a person twice is harmless on both).
      expect(changes.size).toBe(PEOPLE);
      expect(total - distinct).toBeLessThanOrEqual(doubt);
      for (let i = 0; i < PEOPLE; i += 1) {
        const ops = changes.get(emailOf(i)) ?? [];
        // A leaver's last change is a remove; a stayer was added and never removed.
        expect(ops.at(-1), emailOf(i)).toBe(leaves(i) ? 'remove' : 'add');
        if (!leaves(i)) expect(ops.includes('remove'), emailOf(i)).toBe(false);
      }
    }
    expect(meta.members(audience).size).toBe(expected.size);
    expect(google.members(userList).size).toBe(expected.size);
    // Every change queued was taken, or (only a leaver's add still waiting when they left) dropped
    // as outdated, which is no failure.
    for (const destination of destinations) {
      expect(destination.failed, destination.channel).toBe(0);
      expect(destination.outdated, destination.channel).toBeLessThanOrEqual(PEOPLE / 10);
      expect(destination.synced + destination.outdated, destination.channel).toBe(PEOPLE + PEOPLE / 10);
    }
  }, 150_000);
});
