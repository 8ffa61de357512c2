import { readFile } from 'node:fs/promises';
import { TailorError } from '../errors.ts';
import { parseWorkspaceYaml } from './load-workspace.ts';
import type { WorkspaceDefinition } from './workspace.ts';

/**
 * Reads and validates a workspace file (`tailor.yaml`) from disk. A missing or unreadable file
 * is an INVALID_WORKSPACE error naming the path, like any other problem with the file.
 */
export async function readWorkspaceFile(path: string): Promise<WorkspaceDefinition> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TailorError('INVALID_WORKSPACE', `Cannot read the workspace file ${path}: ${reason}`, [
      { path, message: 'create it or point to an existing workspace file' },
    ]);
  }
  return parseWorkspaceYaml({ text, fileName: path });
}
