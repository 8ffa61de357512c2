import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresIdentifierDirectory } from '../../src/cluster/postgres-identifier-directory.ts';
import type { Identifier } from '../../src/identity/identifier.ts';
import { DEFAULT_IDENTITY_RULES } from '../../src/identity/identity-rules.ts';

const PG_URL = process.env['TAILOR_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `tailor_directory_${process.pid}_${randomBytes(4).toString('hex')}`;
const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
/** Three edges: three nodes, each with its own connections to the shared directory. */
const edges: PostgresIdentifierDirectory[] = [];

const anon = (value: string): Identifier => ({ type: 'anonymous_id', value });
const email = (value: string): Identifier => ({ type: 'email', value });
const user = (value: string): Identifier => ({ type: 'user_id', value });

function resolve(edge: number, workspaceId: string, messageId: string, identifiers: Identifier[]) {
  const directory = edges[edge % edges.length];
  if (directory === undefined) throw new Error('no edge');
  return directory.resolve({
    workspaceId,
    identifiers,
    rules: DEFAULT_IDENTITY_RULES,
    newProfileId: () => `prf_${messageId}`,
  });
}

beforeAll(async () => {
  for (let i = 0; i < 3; i += 1) {
    edges.push(
      await PostgresIdentifierDirectory.open({ connectionString: PG_URL, schema: SCHEMA, poolSize: 8 }),
    );
  }
});

afterAll(async () => {
  await Promise.all(edges.map((edge) => edge.close()));
  await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await admin.end();
});

describe('the identifier directory on the real PostgreSQL', () => {
  it('creates, attaches and merges as the identity rules say, and re-points the absorbed identifiers', async () => {
    const w = 'w-seq';
    expect(await resolve(0, w, 'm1', [anon('a1')])).toMatchObject({ profileId: 'prf_m1', created: true });
    expect(await resolve(1, w, 'm2', [email('ada@example.com')])).toMatchObject({
      profileId: 'prf_m2',
      created: true,
    });
    // The login meets both: the email outranks the anonymous id, so its profile survives.
    const merge = await resolve(2, w, 'm3', [anon('a1'), email('ada@example.com'), user('U1')]);
    expect(merge).toMatchObject({ profileId: 'prf_m2', created: false, merged: ['prf_m1'] });
    expect(merge.added).toEqual([user('U1')]);
    for (const identifier of [anon('a1'), email('ada@example.com'), user('U1')]) {
      expect(await edges[0]?.profileOf(w, identifier)).toBe('prf_m2');
    }
    // A second user_id on that browser breaks the limit of one: it gets a profile of its own.
    const other = await resolve(0, w, 'm4', [user('U2'), anon('a1')]);
    expect(other).toMatchObject({ profileId: 'prf_m4', created: true, dropped: [anon('a1')] });
    expect(await edges[1]?.profileOf(w, anon('a1'))).toBe('prf_m2');
    expect(await edges[1]?.profileOf('another-workspace', anon('a1'))).toBeUndefined();
  });

  it('never binds an identifier to a profile merged away at the same moment', async () => {
    const w = 'w-merge-race';
    const pairs = 40;
    for (let i = 0; i < pairs; i += 1) {
      await resolve(0, w, `x${i}`, [anon(`x-${i}`)]);
      await resolve(1, w, `s${i}`, [email(`s${i}@example.com`)]);
    }
    // On one edge a login merges x into s; on another, at the same moment, an event of x brings a
    // new identifier. Whatever the order, the new identifier must end on the survivor.
    await Promise.all(
      Array.from({ length: pairs }, (_, i) => [
        resolve(0, w, `merge${i}`, [email(`s${i}@example.com`), anon(`x-${i}`)]),
        resolve(1, w, `attach${i}`, [anon(`x-${i}`), { type: 'device_id', value: `d-${i}` }]),
      ]).flat(),
    );
    for (let i = 0; i < pairs; i += 1) {
      expect(await edges[2]?.profileOf(w, { type: 'device_id', value: `d-${i}` }), `pair ${i}`).toBe(
        `prf_s${i}`,
      );
      expect(await edges[2]?.profileOf(w, anon(`x-${i}`))).toBe(`prf_s${i}`);
    }
  });

  it('gives each person one profile when their identifiers reach three edges at once', async () => {
    const w = 'w-race';
    const people = 25;
    const calls: Promise<unknown>[] = [];
    for (let p = 0; p < people; p += 1) {
      // A visit, a sign-up that links the email, a login from another device, an app event:
      // each on another edge, all at once.
      const steps: Identifier[][] = [
        [anon(`web-${p}`)],
        [anon(`web-${p}`), email(`p${p}@example.com`)],
        [email(`p${p}@example.com`), user(`U${p}`), anon(`app-${p}`)],
        [anon(`app-${p}`)],
        [user(`U${p}`)],
      ];
      steps.forEach((identifiers, i) => {
        calls.push(resolve(p + i, w, `p${p}-m${i}`, identifiers));
      });
    }
    await Promise.all(calls);

    const { rows } = await admin.query<{ key: string; profile_id: string }>(
      `SELECT key, profile_id FROM "${SCHEMA}".identifier_directory WHERE workspace_id = $1`,
      [w],
    );
    const merged = await admin.query<{ merged_id: string; into_id: string }>(
      `SELECT merged_id, into_id FROM "${SCHEMA}".profile_merges WHERE workspace_id = $1`,
      [w],
    );
    const absorbed = new Set(merged.rows.map((row) => row.merged_id));
    const byKey = new Map(rows.map((row) => [row.key, row.profile_id]));
    const profiles = new Set<string>();
    for (let p = 0; p < people; p += 1) {
      const keys = [
        `anonymous_id:web-${p}`,
        `email:p${p}@example.com`,
        `user_id:U${p}`,
        `anonymous_id:app-${p}`,
      ];
      const ids = new Set(keys.map((key) => byKey.get(key)));
      expect(ids.size, `person ${p}: ${[...ids].join(', ')}`).toBe(1);
      const [id] = [...ids];
      expect(id).toBeDefined();
      expect(absorbed.has(id ?? '')).toBe(false);
      profiles.add(id ?? '');
    }
    expect(profiles.size).toBe(people);
    expect(rows).toHaveLength(people * 4);
    // Every merge points at a profile that is still alive: one hop to the survivor.
    for (const row of merged.rows) expect(absorbed.has(row.into_id)).toBe(false);
  });
});
