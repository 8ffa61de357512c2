import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnTailor, stopTailor } from '../support/spawn-tailor.ts';
import { bearer, tempDir, workspaceYaml } from '../support/test-tailor.ts';

const ADMIN_KEY = 'ak_versions';
const SECRET = 'file-literal-secret-7';
let dir: string | undefined;

afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** The workspace file `tailor start` reads, named `name`, with a literal identity secret. */
function file(name: string): string {
  return workspaceYaml('shop')
    .replace('name: Test shop', `name: ${name}`)
    .replace('identity:\n', `identity:\n  verification_secret: ${SECRET}\n`);
}

/** Starts Tailor on `dir`'s workspace file and reads its versions, newest first, with the newest one's text. */
async function versionsAtStart(data: string) {
  const tailor = await spawnTailor({
    dataDir: data,
    env: {
      TAILOR_CONFIG: join(data, 'tailor.yaml'),
      TAILOR_ADMIN_KEY: ADMIN_KEY,
      TAILOR_WRITE_KEY: 'wk_versions',
    },
  });
  try {
    const read = async (path: string) =>
      (await fetch(`${tailor.url}${path}`, { headers: { authorization: bearer(ADMIN_KEY) } })).json();
    const { versions } = (await read('/v1/workspace/versions')) as {
      versions: { version: number; origin: string; key_id: string | null }[];
    };
    const newest = (await read(`/v1/workspace/versions/${versions[0]?.version}`)) as { text: string };
    return { versions, text: newest.text };
  } finally {
    await stopTailor(tailor);
  }
}

describe('the workspace file as versions', () => {
  it('keeps the file `tailor start` applies, each change as a new version, its secret redacted', async () => {
    dir = tempDir('tailor-file-versions-');
    writeFileSync(join(dir, 'tailor.yaml'), file('First'));
    const first = await versionsAtStart(dir);
    expect(first.versions.map((v) => [v.version, v.origin, v.key_id])).toEqual([[1, 'file', null]]);
    expect(first.text).toBe(file('First').replace(SECRET, '"[redacted]"'));

    writeFileSync(join(dir, 'tailor.yaml'), file('Second'));
    const second = await versionsAtStart(dir);
    expect(second.versions.map((v) => [v.version, v.origin])).toEqual([
      [2, 'file'],
      [1, 'file'],
    ]);
    expect(second.text).toContain('name: Second');
    expect(second.text).not.toContain(SECRET);
  }, 120_000);
});
