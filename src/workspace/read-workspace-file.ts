import { readFile, stat } from 'node:fs/promises';
import type { NetworkPolicy } from '../activate/outbound/network-policy.ts';
import { TailorError } from '../errors.ts';
import { assertWorkspaceSize, parseWorkspaceYaml } from './load-workspace.ts';
import type { WorkspaceDefinition } from './workspace.ts';

/**
 * Reads and validates a workspace file (`tailor.yaml`) from disk. A missing or unreadable file
 * is an INVALID_WORKSPACE error naming the path, like any other problem with the file; a file
 * over the size limit is WORKSPACE_TOO_LARGE before it is read. Channel URLs are judged under
 * `options.network`, the deployment's policy (strict unless given).
 */
export async function readWorkspaceFile(
  path: string,
  options: { network?: NetworkPolicy } = {},
): Promise<WorkspaceDefinition> {
  return (await readWorkspaceSource(path, options)).definition;
}

/** As `readWorkspaceFile`, with the file's text (kept as the version it makes). */
export async function readWorkspaceSource(
  path: string,
  options: { network?: NetworkPolicy } = {},
): Promise<{ definition: WorkspaceDefinition; text: string }> {
  let text: string;
  try {
    assertWorkspaceSize((await stat(path)).size, path);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof TailorError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new TailorError('INVALID_WORKSPACE', `Cannot read the workspace file ${path}: ${reason}`, [
      { path, message: 'create it or point to an existing workspace file' },
    ]);
  }
  return { definition: parseWorkspaceYaml({ text, fileName: path, ...options }), text };
}
