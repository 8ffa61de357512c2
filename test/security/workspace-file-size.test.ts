import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_WORKSPACE_BYTES, parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { readWorkspaceFile } from '../../src/workspace/read-workspace-file.ts';
import { largeWorkspaceYaml, wideMappingWorkspaceYaml } from '../support/large-workspace.ts';
import { bearer, openTestTailor, type TestTailor, tempDir } from '../support/test-tailor.ts';
import { thrownTailorError } from '../support/thrown.ts';

const tailors: TestTailor[] = [];
afterEach(async () => {
  for (const tailor of tailors.splice(0)) await tailor.close();
});

/** The generated workspace renamed to the test Tailor's workspace, `shop`. */
function shopWorkspace(kb: number): string {
  return largeWorkspaceYaml(kb).replace('  id: big', '  id: shop');
}

describe('the size of a workspace file or document is capped at 1 MiB', () => {
  it('loads a large workspace under the limit (900 KiB, about 4,500 segments)', () => {
    const text = largeWorkspaceYaml(900);
    expect(Buffer.byteLength(text)).toBeLessThan(MAX_WORKSPACE_BYTES);
    const definition = parseWorkspaceYaml({ text });
    expect(definition.segments?.length).toBeGreaterThan(4_000);
  }, 60_000);

  it('refuses a longer file with WORKSPACE_TOO_LARGE before parsing it', async () => {
    const text = largeWorkspaceYaml(1100);
    const error = thrownTailorError(() => parseWorkspaceYaml({ text, fileName: 'big.yaml' }));
    expect(error.code).toBe('WORKSPACE_TOO_LARGE');
    expect(error.status).toBe(413);
    expect(error.message).toMatch(/^big\.yaml is 11\d\d KiB, over the 1024 KiB a workspace may hold/);

    const path = join(tempDir(), 'tailor.yaml');
    writeFileSync(path, text);
    await expect(readWorkspaceFile(path)).rejects.toMatchObject({ code: 'WORKSPACE_TOO_LARGE' });
  });

  it('refuses a longer PUT /v1/workspace body, YAML or JSON, with WORKSPACE_TOO_LARGE', async () => {
    const tailor = await openTestTailor();
    tailors.push(tailor);
    const yaml = await tailor.app.inject({
      method: 'PUT',
      url: '/v1/workspace',
      headers: { authorization: bearer(tailor.adminKey), 'content-type': 'application/yaml' },
      payload: shopWorkspace(1100),
    });
    expect(yaml.statusCode).toBe(413);
    expect(yaml.json()).toMatchObject({ code: 'WORKSPACE_TOO_LARGE' });
    const json = await tailor.app.inject({
      method: 'PUT',
      url: '/v1/workspace',
      headers: { authorization: bearer(tailor.adminKey), 'content-type': 'application/json' },
      payload: JSON.stringify({
        workspace: { id: 'shop', name: 'Shop' },
        padding: 'x'.repeat(MAX_WORKSPACE_BYTES),
      }),
    });
    expect(json.statusCode).toBe(413);
    expect(json.json()).toMatchObject({ code: 'WORKSPACE_TOO_LARGE' });
  });

  it('takes a PUT /v1/workspace body between the tracking limit (500 KB) and 1 MiB', async () => {
    const tailor = await openTestTailor();
    tailors.push(tailor);
    const response = await tailor.app.inject({
      method: 'PUT',
      url: '/v1/workspace',
      headers: { authorization: bearer(tailor.adminKey), 'content-type': 'application/yaml' },
      payload: shopWorkspace(600),
    });
    expect(response.statusCode).toBe(200);
  }, 120_000);
});

describe('reading a workspace file takes time linear in its size', () => {
  // yaml's own duplicate-key check compared each key with every earlier one of its mapping: this
  // file took 48 s to parse, blocking the event loop. The vitest time-out is the bound.
  it('parses one mapping of 20,000 keys (692 KiB)', () => {
    const definition = parseWorkspaceYaml({ text: wideMappingWorkspaceYaml(20_000) });
    expect(definition.identity?.types?.custom_type_19999).toMatchObject({ limit: 1 });
  }, 30_000);

  it('still reports every repeated key at its position, in block and flow mappings', () => {
    const text = `workspace:
  id: shop
  name: Shop
identity:
  types:
    loyalty_id: { limit: 1, limit: 2 }
    member_id: { limit: 1 }
    loyalty_id: { limit: 3 }
`;
    const error = thrownTailorError(() => parseWorkspaceYaml({ text, fileName: 'shop.yaml' }));
    expect(error.code).toBe('INVALID_WORKSPACE');
    expect(error.details).toEqual([
      { path: 'shop.yaml:6:29', message: 'YAML syntax: Map keys must be unique' },
      { path: 'shop.yaml:8:5', message: 'YAML syntax: Map keys must be unique' },
    ]);
  });
});
