import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, openTestTailor, type TestTailor, workspaceYaml } from '../support/test-tailor.ts';

let t: TestTailor;
beforeEach(async () => {
  t = await openTestTailor({ workspaces: ['shop', 'other'] });
});
afterEach(async () => {
  await t.close();
});

function admin(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, key = t.adminKey) {
  return t.app.inject({
    method,
    url,
    headers: {
      authorization: bearer(key),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

const SECRET = 'literal-identity-secret-42';

/** The test workspace with a literal identity secret, also named in a comment, and a name. */
function fileNamed(name: string): string {
  return workspaceYaml('shop')
    .replace('name: Test shop', `name: ${name}`)
    .replace('identity:\n', `identity:\n  # was ${SECRET} before\n  verification_secret: ${SECRET}\n`);
}

type Summary = {
  version: number;
  origin: string;
  key_id: string | null;
  restored_from: number | null;
  sha256: string | null;
  current: boolean;
  at: string | null;
};

describe('workspace versions', () => {
  it('keeps each applied file with its key and time, shows it redacted, and rolls back to it', async () => {
    const [adminKey] = (await t.store.listKeys('shop')).filter((key) => key.kind === 'admin');
    expect((await admin('PUT', '/v1/workspace', { yaml: fileNamed('First') })).statusCode).toBe(200);
    t.clock.advance(60_000);
    expect((await admin('PUT', '/v1/workspace', { yaml: fileNamed('Second') })).statusCode).toBe(200);

    const list = (await admin('GET', '/v1/workspace/versions')).json() as { versions: Summary[] };
    expect(list.versions.map((v) => [v.version, v.origin, v.key_id, v.current])).toEqual([
      [3, 'api', adminKey?.id, true],
      [2, 'api', adminKey?.id, false],
      [1, 'unknown', null, false],
    ]);
    expect(list.versions[0]?.at).toBe('2026-03-01T10:01:00.000Z');
    expect(list.versions[2]?.sha256).toBeNull();

    const second = (await admin('GET', '/v1/workspace/versions/2')).json();
    expect(second.text).not.toContain(SECRET);
    expect(second.text).toContain('verification_secret: "[redacted]"');
    expect(second.text).toContain('# was [redacted] before');
    expect(second.text).toContain('name: First');
    expect(second.sha256).toBe(createHash('sha256').update(second.text).digest('hex'));
    expect(second.definition.identityVerification).toEqual({ secret: '[redacted]' });
    expect(JSON.stringify((await admin('GET', '/v1/workspace')).json())).not.toContain(SECRET);

    const check = await admin('POST', '/v1/workspace/versions/2/dry-run');
    expect(check.statusCode, check.body).toBe(200);
    expect(check.json()).toEqual({ valid: true, version: 3, changes: [{ path: 'name', change: 'changed' }] });

    const rollback = await admin('POST', '/v1/workspace/versions/2/apply');
    expect(rollback.statusCode, rollback.body).toBe(200);
    expect(rollback.json().version).toBe(4);
    const restored = t.engine.workspace('shop')?.definition;
    expect(restored?.name).toBe('First');
    // The secret itself came back from the kept file, not the redacted copy.
    expect(restored?.identityVerification?.secret).toBe(SECRET);
    const latest = (await admin('GET', '/v1/workspace/versions?limit=1')).json();
    expect(latest.versions[0]).toMatchObject({
      version: 4,
      origin: 'rollback',
      restored_from: 2,
      current: true,
    });
    expect(latest.versions[0].sha256).toBe(second.sha256);
    expect(latest.next_before).toBe(4);
    const older = (await admin('GET', `/v1/workspace/versions?before=${latest.next_before}&limit=5`)).json();
    expect(older.versions.map((v: Summary) => v.version)).toEqual([3, 2, 1]);
    expect(older.next_before).toBeNull();
  });

  it('keeps a JSON document laid out, and a segment saved through the API without a file', async () => {
    const document = { workspace: { id: 'shop', name: 'As JSON' } };
    expect((await admin('PUT', '/v1/workspace', document)).statusCode).toBe(200);
    const saved = await admin('POST', '/v1/segments?wait=true', {
      key: 'all',
      when: { first_seen: { $exists: true } },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect((await admin('GET', '/v1/workspace/versions/2')).json().text).toBe(
      JSON.stringify(document, null, 2),
    );
    const segments = (await admin('GET', '/v1/workspace/versions/3')).json();
    expect(segments).toMatchObject({ origin: 'segments', text: null, sha256: null, current: true });
    expect(segments.definition.segments.map((s: { key: string }) => s.key)).toEqual(['all']);
  });

  it('answers VERSION_NOT_FOUND for a version the workspace does not have, and shows another workspace nothing', async () => {
    expect((await admin('PUT', '/v1/workspace', { yaml: fileNamed('Mine') })).statusCode).toBe(200);
    const missing = await admin('GET', '/v1/workspace/versions/9');
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'VERSION_NOT_FOUND']);
    expect((await admin('POST', '/v1/workspace/versions/9/apply')).json().code).toBe('VERSION_NOT_FOUND');
    const other = (await admin('GET', '/v1/workspace/versions', undefined, 'ak_other')).json();
    expect(other.versions.map((v: Summary) => v.version)).toEqual([1]);
    expect((await admin('GET', '/v1/workspace/versions/2', undefined, 'ak_other')).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/v1/workspace/versions' })).json().code).toBe('MISSING_ADMIN_KEY');
  });
});
