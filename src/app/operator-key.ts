import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where a local `tailor start` saves the operator key it generated (mode 600). */
export function operatorKeyFile(dataDir: string): string {
  return join(dataDir, 'operator.key.json');
}

/** Reads the operator key a local `tailor start` saved, if any. */
export async function readSavedOperatorKey(dataDir: string): Promise<string | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(operatorKeyFile(dataDir), 'utf8'));
    return typeof parsed === 'object' &&
      parsed !== null &&
      'operatorKey' in parsed &&
      typeof parsed.operatorKey === 'string'
      ? parsed.operatorKey
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The server's operator key, which creates workspaces and reads `/metrics`, nothing else: the one given
 * (`TAILOR_OPERATOR_KEY`, as every node of a deployment should be given), else the one saved in
 * the data dir, else a new random one saved there (mode 600) for the CLI on this machine. It is
 * held by the process, never in the store: whoever runs the server holds it, as the account
 * owner of Segment or the company admin of Braze creates workspaces, not a workspace's keys.
 */
export async function ensureOperatorKey(input: {
  dataDir: string;
  given: string | undefined;
}): Promise<string> {
  if (input.given !== undefined) return input.given;
  const saved = await readSavedOperatorKey(input.dataDir);
  if (saved !== undefined) return saved;
  const key = `ok_${randomBytes(24).toString('base64url')}`;
  await mkdir(input.dataDir, { recursive: true, mode: 0o700 });
  const file = operatorKeyFile(input.dataDir);
  await writeFile(file, `${JSON.stringify({ operatorKey: key }, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return key;
}
