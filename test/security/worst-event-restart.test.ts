import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_WORKSPACE_FILE } from '../../src/app/settings.ts';
import { EVENT_MAX_BYTES, JSON_MAX_DEPTH, REQUEST_MAX_BYTES } from '../../src/ingest/ingest-limits.ts';
import { type SpawnedTailor, spawnTailor, stopTailor } from '../support/spawn-tailor.ts';
import { tempDir } from '../support/test-tailor.ts';

/**
 * Nothing the edge accepts can later fail the log append, a replay, a rebuild or a restart. The
 * worst events it accepts (64 deep everywhere, 32 KB, astral characters, `__proto__`,
 * `constructor`, empty and very long keys) are stored by the real server, which is killed with
 * SIGKILL before its checkpoint, restarted (replay), made to rebuild by an admin, killed and
 * restarted again — on SQLite and on PostgreSQL. The attacks that used to brick it (deep
 * nesting, NUL and a lone surrogate in a userId) are refused on the way.
 */

const WRITE_KEY = 'wk_worst_event';
const ADMIN_KEY = 'ak_worst_event';
const WORKSPACE = 'demo';
const PG_URL = process.env['TAILOR_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const BATCH_ITEMS = Math.floor(REQUEST_MAX_BYTES / EVENT_MAX_BYTES) - 1;

const schemas: string[] = [];
afterAll(async () => {
  if (schemas.length === 0) return;
  const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

/**
 * JSON text of `levels` nested containers under one odd key each: objects keyed `__proto__`,
 * `constructor` or '' in turn, with arrays between, and an astral string at the bottom.
 */
function chain(levels: number): string {
  const keys = ['"__proto__"', '"constructor"', '""', '"prototype"'];
  let open = '';
  let close = '';
  for (let level = 0; level < levels - 1; level += 1) {
    if (level % 3 === 1) {
      open += '[1,';
      close = `]${close}`;
    } else {
      open += `{${keys[level % keys.length]}:`;
      close = `}${close}`;
    }
  }
  return `${open}{"leaf":"𝔐🦊"}${close}`;
}

/** One identify as big and as odd as the edge accepts: 64 deep in properties, traits and context. */
function worstEvent(n: number): Record<string, unknown> {
  const longKey = `k${'𝔎'.repeat(500)}`;
  // Levels: the event is 1, `traits`/`properties`/`context` are 2, so their chains may hold 62 more.
  const text = `{
    "type": "identify",
    "userId": "worst-👤-${n}",
    "anonymousId": "anon-${'\u{10FFFD}'}-${n}",
    "messageId": "worst-${n}",
    "traits": {
      "plan": "worst", "emoji": "𝔐𝔞𝔩𝔩𝔬𝔯𝔶 🦊", "__proto__": {"polluted": true},
      "constructor": {"prototype": {"polluted": true}}, "": "empty", "toString": "x",
      "${longKey}": 1, "deep": ${chain(JSON_MAX_DEPTH - 2)}
    },
    "properties": {"deep": ${chain(JSON_MAX_DEPTH - 2)}, "__proto__": [1], "": ""},
    "context": {
      "traits": {"__proto__": {"x": 1}, "constructor": "c", "nickname": "🦊"},
      "deep": ${chain(JSON_MAX_DEPTH - 2)}
    },
    "integrations": {"deep": ${chain(JSON_MAX_DEPTH - 2)}},
    "pad": ""
  }`;
  const event: Record<string, unknown> = JSON.parse(text);
  const room = EVENT_MAX_BYTES - Buffer.byteLength(JSON.stringify(event));
  // Four UTF-8 bytes per astral character: fill the event to its last allowed byte but three.
  event['pad'] = '😀'.repeat(Math.floor(room / 4));
  return event;
}

async function call(
  tailor: SpawnedTailor,
  input: { method?: string; path: string; body: unknown; admin?: boolean },
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${tailor.url}${input.path}`, {
    method: input.method ?? 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: input.admin
        ? `Bearer ${ADMIN_KEY}`
        : `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
    },
    body: typeof input.body === 'string' ? input.body : JSON.stringify(input.body),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? {} : JSON.parse(text) };
}

async function profile(tailor: SpawnedTailor, n: number): Promise<Record<string, unknown>> {
  const response = await fetch(`${tailor.url}/v1/profiles/${encodeURIComponent(`user_id:worst-👤-${n}`)}`, {
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
  });
  expect(response.status).toBe(200);
  const body: Record<string, unknown> = JSON.parse(await response.text());
  return body;
}

async function expectWorstProfiles(tailor: SpawnedTailor): Promise<void> {
  for (const n of [0, 1, BATCH_ITEMS]) {
    const body = await profile(tailor, n);
    expect(body['traits']).toMatchObject({ plan: 'worst', emoji: '𝔐𝔞𝔩𝔩𝔬𝔯𝔶 🦊', '': 'empty', nickname: '🦊' });
    expect(Object.getPrototypeOf(body['traits'])).toBe(Object.prototype);
  }
}

/** Kills the server with SIGKILL (no checkpoint, no clean close) and starts it again on the same data. */
async function killAndRestart(tailor: SpawnedTailor, start: () => Promise<SpawnedTailor>) {
  tailor.child.kill('SIGKILL');
  await stopTailor(tailor);
  return start();
}

describe.each([
  ['SQLite', () => ({})],
  [
    'PostgreSQL',
    () => {
      const schema = `tailor_worst_${process.pid}_${randomBytes(4).toString('hex')}`;
      schemas.push(schema);
      return { TAILOR_STORE: `${PG_URL}?schema=${schema}` };
    },
  ],
])('the worst event the edge accepts, on %s', (_store, storeEnv) => {
  it('survives SIGKILL before the checkpoint, replay, an admin rebuild and another SIGKILL', async () => {
    const env = {
      TAILOR_WRITE_KEY: WRITE_KEY,
      TAILOR_ADMIN_KEY: ADMIN_KEY,
      // No checkpoint before the kill: the restart must replay every event from the log.
      TAILOR_CHECKPOINT_MS: '3600000',
      ...storeEnv(),
    };
    const dataDir = tempDir('tailor-worst-');
    const start = () => spawnTailor({ dataDir, env });
    let tailor = await start();

    // What used to brick the server is refused at the edge, before anything is written.
    const deep = `{"userId":"u","event":"Deep","properties":${'{"a":'.repeat(4_150)}1${'}'.repeat(4_150)}}`;
    expect((await call(tailor, { path: '/v1/track', body: deep })).json['code']).toBe('TOO_DEEP');
    for (const userId of ['\\u0000', 'x\\u0000y', '\\ud800', 'a\\udfffb']) {
      const reply = await call(tailor, { path: '/v1/identify', body: `{"userId":"${userId}","traits":{}}` });
      expect(reply).toMatchObject({ status: 400, json: { code: 'INVALID_CHARACTERS' } });
    }

    // The worst accepted: singles, a full batch, and a track.
    for (const n of [0, 1]) {
      const single = worstEvent(n);
      expect(Buffer.byteLength(JSON.stringify(single))).toBeGreaterThan(EVENT_MAX_BYTES - 8);
      expect((await call(tailor, { path: '/v1/identify', body: single })).status).toBe(200);
    }
    const batch = Array.from({ length: BATCH_ITEMS - 1 }, (_, i) => worstEvent(i + 2));
    const batched = await call(tailor, { path: '/v1/batch', body: { batch } });
    expect(batched).toMatchObject({ status: 200, json: { accepted: BATCH_ITEMS - 1, rejected: [] } });
    const track = { ...worstEvent(0), type: 'track', event: 'Worst', messageId: 'worst-track', pad: '' };
    expect((await call(tailor, { path: '/v1/track', body: track })).status).toBe(200);

    tailor = await killAndRestart(tailor, start);
    await expectWorstProfiles(tailor);

    // Admin actions that rebuild from the log: a new segment back-filled, a workspace re-applied.
    const segment = await call(tailor, {
      path: '/v1/segments?wait=true',
      admin: true,
      body: { key: 'worst', name: 'Worst', when: { 'traits.plan': 'worst' } },
    });
    expect(segment.status).toBeLessThan(300);
    expect(segment.json['size']).toBe(BATCH_ITEMS + 1);
    const yaml = readFileSync(DEMO_WORKSPACE_FILE, 'utf8');
    const applied = await call(tailor, { method: 'PUT', path: '/v1/workspace', admin: true, body: { yaml } });
    expect(applied.status).toBe(200);
    expect(applied.json['id']).toBe(WORKSPACE);
    await expectWorstProfiles(tailor);

    tailor = await killAndRestart(tailor, start);
    await expectWorstProfiles(tailor);
    expect(await stopTailor(tailor)).toBe(0);
  }, 180_000);
});
