import { saveWorkspaceKeys } from '../app/workspace-keys.ts';
import { type Connection, callApi } from './connection.ts';

/** What the server answers for a created workspace. */
interface CreatedWorkspace {
  id: string;
  name: string;
  write_key: string;
  admin_key: string;
}

/**
 * `tailor workspace create <id>`: creates an empty workspace on the running server with the
 * operator key, prints its write and admin keys (the server shows them this once) and saves them
 * as `<data dir>/<id>.keys.json` (mode 600), where `tailor apply` and the other commands find
 * them by the workspace's id. Returns the lines printed.
 */
export async function createWorkspace(input: {
  connection: Connection;
  id: string;
  name?: string;
  dataDir: string;
}): Promise<string> {
  const created = (await callApi({
    connection: input.connection,
    method: 'POST',
    path: '/v1/workspaces',
    auth: 'operator',
    body: JSON.stringify({ id: input.id, ...(input.name === undefined ? {} : { name: input.name }) }),
  })) as CreatedWorkspace;
  const file = await saveWorkspaceKeys({
    dataDir: input.dataDir,
    workspaceId: created.id,
    keys: { writeKey: created.write_key, adminKey: created.admin_key },
  });
  return [
    `workspace ${created.id} created ("${created.name}"); its keys, which the server never shows again:`,
    `  write key   ${created.write_key}`,
    `  admin key   ${created.admin_key}`,
    `saved in ${file} (mode 600): \`tailor apply\` picks them by the file's workspace id, other commands with --workspace ${created.id}`,
    `next: write ${created.id}.yaml (workspace: { id: ${created.id}, name: … }, then traits, segments, …) and \`npx tailor apply ${created.id}.yaml\``,
    '',
  ].join('\n');
}
