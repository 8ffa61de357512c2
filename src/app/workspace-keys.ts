import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKey, hashKey } from '../engine/api-keys.ts';
import type { Store } from '../store/store.ts';

/** A workspace's write and admin keys in plain text, as printed at start. */
export interface WorkspaceKeys {
  writeKey: string;
  adminKey: string;
}

function keysFile(dataDir: string, workspaceId: string): string {
  return join(dataDir, `${workspaceId}.keys.json`);
}

function isKeys(value: unknown): value is WorkspaceKeys {
  return (
    typeof value === 'object' &&
    value !== null &&
    'writeKey' in value &&
    typeof value.writeKey === 'string' &&
    'adminKey' in value &&
    typeof value.adminKey === 'string'
  );
}

/** Reads the keys saved for a workspace under the data dir, if any. */
export async function readSavedKeys(
  dataDir: string,
  workspaceId: string,
): Promise<WorkspaceKeys | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(keysFile(dataDir, workspaceId), 'utf8'));
    return isKeys(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes sure a workspace has keys: given ones (TAILOR_WRITE_KEY / TAILOR_ADMIN_KEY) win, then
 * keys saved earlier, else new random ones. The store keeps only their hashes; the plain
 * keys are saved in `<data dir>/<workspace>.keys.json` (mode 600) so a restart can print them.
 */
export async function ensureWorkspaceKeys(input: {
  store: Store;
  dataDir: string;
  workspaceId: string;
  given: Partial<WorkspaceKeys>;
}): Promise<WorkspaceKeys> {
  const { store, dataDir, workspaceId, given } = input;
  const saved = await readSavedKeys(dataDir, workspaceId);
  const keys: WorkspaceKeys = {
    writeKey: given.writeKey ?? saved?.writeKey ?? generateKey('write'),
    adminKey: given.adminKey ?? saved?.adminKey ?? generateKey('admin'),
  };
  await store.addKey({ workspaceId, kind: 'write', hash: hashKey(keys.writeKey) });
  await store.addKey({ workspaceId, kind: 'admin', hash: hashKey(keys.adminKey) });
  if (saved?.writeKey !== keys.writeKey || saved.adminKey !== keys.adminKey) {
    await mkdir(dataDir, { recursive: true });
    const file = keysFile(dataDir, workspaceId);
    await writeFile(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
  }
  return keys;
}
