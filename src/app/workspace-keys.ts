import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKey, hashKey, keyHint } from '../engine/api-keys.ts';
import type { ApiKeyRecord, KeyKind, KeySource, KeyStore } from '../store/ports/key-store.ts';

/** A workspace's write and admin keys in plain text, as printed at start. */
export interface WorkspaceKeys {
  writeKey: string;
  adminKey: string;
}

/** Where a local start saves a workspace's keys (mode 600). */
export function keysFile(dataDir: string, workspaceId: string): string {
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

/** The variable that gives each kind of key at start. */
const ENV_NAME: Record<KeyKind, string> = { write: 'TAILOR_WRITE_KEY', admin: 'TAILOR_ADMIN_KEY' };

/** What `ensureWorkspaceKeys` did besides making sure of the keys: the keys it revoked. */
export interface KeysSettled {
  keys: WorkspaceKeys;
  /** Keys given by environment or generated earlier that a key given now replaced (revoked). */
  replaced: ApiKeyRecord[];
}

/**
 * One kind of key: a given key is registered as `env` and revokes the workspace's other keys of
 * that kind that came from the environment or were generated (keys made through the API stay);
 * otherwise the saved key is kept while it is not revoked; otherwise a new key is generated.
 */
async function settleKey(input: {
  store: KeyStore;
  workspaceId: string;
  kind: KeyKind;
  given: string | undefined;
  saved: string | undefined;
  now: number;
}): Promise<{ key: string; replaced: ApiKeyRecord[] }> {
  const { store, workspaceId, kind, given, saved, now } = input;
  const register = (key: string, source: KeySource) =>
    store.addKey({ workspaceId, kind, hash: hashKey(key), source, hint: keyHint(key), createdAt: now });
  if (given !== undefined) {
    const record = await register(given, 'env');
    if (record.revokedAt !== null || record.workspaceId !== workspaceId || record.kind !== kind)
      throw new Error(
        `${ENV_NAME[kind]} is a revoked key or a key of another kind or workspace; give a new one`,
      );
    const replaced: ApiKeyRecord[] = [];
    for (const other of await store.listKeys(workspaceId)) {
      if (other.kind !== kind || other.id === record.id || other.revokedAt !== null || other.source === 'api')
        continue;
      const outcome = await store.revokeKey({ workspaceId, id: other.id, at: now, keepLastAdmin: false });
      if (outcome.kind === 'revoked') replaced.push(outcome.key);
    }
    return { key: given, replaced };
  }
  if (saved !== undefined && (await register(saved, 'generated')).revokedAt === null)
    return { key: saved, replaced: [] };
  const fresh = generateKey(kind);
  await register(fresh, 'generated');
  return { key: fresh, replaced: [] };
}

/**
 * Makes sure a workspace has keys: given ones (TAILOR_WRITE_KEY / TAILOR_ADMIN_KEY) win and
 * replace the keys given that way before (or generated), then keys saved earlier unless revoked,
 * else new random ones. The store keeps only their hashes; the plain keys are saved in
 * `<data dir>/<workspace>.keys.json` (mode 600) so a restart can print them and the CLI find them.
 */
export async function ensureWorkspaceKeys(input: {
  store: KeyStore;
  dataDir: string;
  workspaceId: string;
  given: Partial<WorkspaceKeys>;
  /** Epoch ms of the start (creation and revocation times). */
  now?: number;
}): Promise<KeysSettled> {
  const { store, dataDir, workspaceId, given } = input;
  const now = input.now ?? Date.now();
  const saved = await readSavedKeys(dataDir, workspaceId);
  const write = await settleKey({
    store,
    workspaceId,
    kind: 'write',
    given: given.writeKey,
    saved: saved?.writeKey,
    now,
  });
  const admin = await settleKey({
    store,
    workspaceId,
    kind: 'admin',
    given: given.adminKey,
    saved: saved?.adminKey,
    now,
  });
  const keys: WorkspaceKeys = { writeKey: write.key, adminKey: admin.key };
  if (saved?.writeKey !== keys.writeKey || saved.adminKey !== keys.adminKey)
    await saveWorkspaceKeys({ dataDir, workspaceId, keys });
  return { keys, replaced: [...write.replaced, ...admin.replaced] };
}

/**
 * Saves a workspace's keys as `<data dir>/<workspace>.keys.json` (mode 600, the directory 700),
 * where the CLI finds them; returns the file's path.
 */
export async function saveWorkspaceKeys(input: {
  dataDir: string;
  workspaceId: string;
  keys: WorkspaceKeys;
}): Promise<string> {
  await mkdir(input.dataDir, { recursive: true, mode: 0o700 });
  const file = keysFile(input.dataDir, input.workspaceId);
  await writeFile(file, `${JSON.stringify(input.keys, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}
