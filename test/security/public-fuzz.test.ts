import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeClock } from '../../src/clock.ts';
import { Engine } from '../../src/engine/engine.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { type ActivationTailor, openActivationTailor } from '../support/activation-tailor.ts';
import { seededRandom } from '../support/seeded-random.ts';
import { tempDir } from '../support/test-tailor.ts';
import type { FuzzRequest } from './fuzz-inputs.ts';
import { ADMIN_ROUTES, fuzzRequest } from './fuzz-requests.ts';

/** Replay a failing run with TAILOR_FUZZ_SEED=<seed printed in the failure>. */
const SEED = Number(process.env['TAILOR_FUZZ_SEED'] ?? 20_261_202);
const REQUESTS = 5_000;
const IN_FLIGHT = 16;

const adminPaths = new Set(ADMIN_ROUTES.map((route) => `${route.method} ${route.url}`));

/** A profile a write-key decide revealed, and the caller's own anonymous id it must belong to. */
interface Revealed {
  profileId: string;
  anonymousId: string | undefined;
}

/** What an answer broke, if anything: a 5xx anywhere, or an admin route that let a write key in. */
function fault(request: FuzzRequest, status: number, body: string, revealed: Revealed[]): string | undefined {
  if (status >= 500) return `${status} ${body.slice(0, 200)}`;
  if (adminPaths.has(`${request.method} ${request.url}`) && status !== 401 && status !== 404)
    return `admin route answered ${status} without an admin key`;
  if (request.url === '/v1/decide' && status === 200 && request.asksForSomeone !== undefined) {
    const answer: unknown = JSON.parse(body);
    if (typeof answer === 'object' && answer !== null && 'profile_id' in answer && answer.profile_id !== null)
      revealed.push({
        profileId: String(answer.profile_id),
        anonymousId: request.asksForSomeone.anonymousId,
      });
  }
  return undefined;
}

describe(`the public surface under ${REQUESTS} malformed requests (seed ${SEED})`, () => {
  const dir = tempDir('tailor-fuzz-');
  const clock = fakeClock('2026-03-01T10:00:00Z');
  let tailor: ActivationTailor;
  const good: string[] = [];
  const faults: string[] = [];
  const revealed: Revealed[] = [];
  let answered = 0;

  beforeAll(async () => {
    tailor = await openActivationTailor({
      dir,
      clock,
      channels: () => ({
        whatsapp: {
          base_url: 'http://127.0.0.1:9/v21.0',
          phone_number_id: '1000',
          access_token: 'token-not-used',
          app_secret: 'fuzz-app-secret',
          verify_token: 'fuzz-verify-token',
        },
        sms: {
          base_url: 'http://127.0.0.1:9',
          account_sid: 'AC00000000000000000000000000000000',
          auth_token: 'fuzz-auth-token',
          from: '+15005550006',
        },
      }),
    });
    const random = seededRandom(SEED);
    let goodCount = 0;
    const target = { writeKey: tailor.writeKey, workspace: 'demo', nextGood: () => goodCount++ };
    const requests = Array.from({ length: REQUESTS }, () => fuzzRequest(random, target));
    for (let at = 0; at < requests.length; at += IN_FLIGHT) {
      await Promise.all(
        requests.slice(at, at + IN_FLIGHT).map(async (request) => {
          const reply = await tailor.app.inject({
            method: request.method,
            url: request.url,
            headers: request.headers,
            ...(request.payload === undefined ? {} : { payload: request.payload }),
          });
          answered += 1;
          const problem = fault(request, reply.statusCode, reply.body, revealed);
          if (problem !== undefined) faults.push(`${request.label}: ${problem}`);
          if (request.good !== undefined && reply.statusCode === 200) good.push(...request.good);
          else if (request.good !== undefined)
            faults.push(
              `${request.label}: a batch with good items answered ${reply.statusCode} ${reply.body.slice(0, 200)}`,
            );
        }),
      );
    }
  }, 300_000);

  afterAll(async () => {
    await tailor?.close().catch(() => undefined);
  });

  it('answers every request with no 5xx, and no admin route or profile to the write key', () => {
    expect(answered).toBe(REQUESTS);
    expect(faults.slice(0, 40)).toEqual([]);
  });

  it("reveals to a write-key decide no profile but the caller's own", async () => {
    for (const { profileId, anonymousId } of revealed) {
      const own =
        anonymousId === undefined
          ? undefined
          : await tailor.engine.reads.findProfile('demo', `anonymous_id:${anonymousId}`);
      const shown = await tailor.engine.reads.findProfile('demo', profileId);
      expect(shown?.id, `decide revealed ${profileId} to anonymous id ${String(anonymousId)}`).toBe(own?.id);
    }
  });

  it('keeps every good item of the mixed batches', async () => {
    expect(good.length).toBeGreaterThan(200);
    const stored = await tailor.store.readEventsById('demo', good);
    expect(new Set(stored.map((event) => event.messageId)).size).toBe(good.length);
  });

  it('still serves, and a restart replays into the same profiles', async () => {
    const health = await tailor.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    const users = Array.from({ length: 20 }, (_, n) => `user_id:good-${n}`);
    const before = new Map<string, unknown>();
    for (const ref of users) before.set(ref, (await tailor.engine.reads.findProfile('demo', ref))?.computed);
    await tailor.close();

    const store = new SqliteStore({ path: join(dir, 'tailor.db') });
    const engine = await Engine.open({ store, clock: clock.now, checkpointIntervalMs: 3_600_000 });
    try {
      for (const ref of users)
        expect((await engine.reads.findProfile('demo', ref))?.computed).toEqual(before.get(ref));
      expect([...before.values()].filter((computed) => computed !== undefined).length).toBeGreaterThan(10);
    } finally {
      await engine.close();
    }
  });
});
