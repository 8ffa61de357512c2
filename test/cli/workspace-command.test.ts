import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyCommand } from '../../src/cli/apply-command.ts';
import { type Connection, resolveConnection } from '../../src/cli/connection.ts';
import { createWorkspace } from '../../src/cli/workspace-command.ts';
import { buildServer } from '../../src/http/server.ts';
import { openTestTailor, type TestTailor, tempDir, workspaceYaml } from '../support/test-tailor.ts';

const OPERATOR_KEY = 'ok_cli_operator_key';

let t: TestTailor;
let app: FastifyInstance;
let url: string;
let dataDir: string;
let stderr: string[];
beforeEach(async () => {
  t = await openTestTailor();
  app = await buildServer({ engine: t.engine, operatorKey: OPERATOR_KEY });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  dataDir = tempDir('tailor-cli-workspace-');
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await app.close();
  await t.close();
});

/** The connection `tailor apply` tries for a workspace: its saved keys, as `npm start`'s shell has no key set. */
const savedKeysOf = async (workspaceId: string): Promise<Connection[]> => [
  await resolveConnection({ url, dataDir, workspace: workspaceId }, {}),
];

function workspaceFile(id: string): string {
  const file = join(dataDir, `${id}.yaml`);
  writeFileSync(file, workspaceYaml(id));
  return file;
}

describe('tailor workspace create, then tailor apply', () => {
  it('creates a workspace, prints its keys once, saves them, and apply picks them by the file’s id', async () => {
    const printed = await createWorkspace({
      connection: { url, operatorKey: OPERATOR_KEY },
      id: 'my-shop',
      dataDir,
    });
    const saved = JSON.parse(readFileSync(join(dataDir, 'my-shop.keys.json'), 'utf8'));
    expect(statSync(join(dataDir, 'my-shop.keys.json')).mode & 0o777).toBe(0o600);
    expect(printed).toContain(`write key   ${saved.writeKey}`);
    expect(printed).toContain(`admin key   ${saved.adminKey}`);

    // The README's own example workspace.
    const example = resolve(import.meta.dirname, '../../examples/my-shop/tailor.yaml');
    await applyCommand({ file: example, connect: savedKeysOf, dryRun: false });
    expect(stderr.join('')).toMatch(/applied: workspace my-shop is at version 2/);
    expect(t.engine.workspace('my-shop')?.definition.computedTraits.map((trait) => trait.key)).toEqual([
      'orders',
      'lifetime_value',
    ]);
  });

  it('uses the key that manages the file’s workspace when another workspace’s key comes first', async () => {
    await createWorkspace({ connection: { url, operatorKey: OPERATOR_KEY }, id: 'my-shop', dataDir });
    const demoKeyFirst = async (id: string): Promise<Connection[]> => [
      { url, adminKey: t.adminKey },
      ...(await savedKeysOf(id)),
    ];
    await applyCommand({ file: workspaceFile('my-shop'), connect: demoKeyFirst, dryRun: false });
    expect(stderr.join('')).toMatch(/applied: workspace my-shop/);
  });

  it('fails before printing any line when no key manages the file’s workspace', async () => {
    const otherKey = async (): Promise<Connection[]> => [{ url, adminKey: t.adminKey }];
    await expect(
      applyCommand({ file: workspaceFile('nobody'), connect: otherKey, dryRun: false }),
    ).rejects.toThrow(
      'The admin key manages workspace shop, not nobody: create it with `tailor workspace create nobody`',
    );
    await expect(
      applyCommand({ file: workspaceFile('nobody'), connect: savedKeysOf, dryRun: false }),
    ).rejects.toThrow('No admin key for workspace nobody');
    expect(stderr).toEqual([]);
    expect(t.engine.workspace('nobody')).toBeUndefined();
  });

  it('refuses to create a workspace without the operator key, or one that exists', async () => {
    await expect(
      createWorkspace({ connection: { url, adminKey: t.adminKey }, id: 'x', dataDir }),
    ).rejects.toThrow(/No operator key/);
    await expect(
      createWorkspace({ connection: { url, operatorKey: t.adminKey }, id: 'x', dataDir }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_OPERATOR_KEY' });
    await expect(
      createWorkspace({ connection: { url, operatorKey: OPERATOR_KEY }, id: 'shop', dataDir }),
    ).rejects.toMatchObject({ code: 'WORKSPACE_EXISTS', status: 409 });
  });
});
