import { readFile } from 'node:fs/promises';
import { networkPolicyFor } from '../app/settings.ts';
import { parseWorkspaceYaml } from '../workspace/load-workspace.ts';
import { ApiError, type Connection, callApi } from './connection.ts';
import { createProgress } from './progress.ts';

/**
 * `tailor apply tailor.yaml`: validates the workspace file locally (errors point at line and
 * field), then sends it to the running server, which re-computes every profile from the
 * event log; progress is shown while it does. Channel URLs are checked locally under the policy
 * a local `tailor start` would use (`TAILOR_ALLOW_HTTP_HOSTS`), and again by the server under its own.
 * The admin key is the first of `connect`'s that manages the file's workspace: when none does,
 * the command fails before it prints anything else.
 */
export async function applyCommand(input: {
  file: string;
  /** The connections to try for a workspace id, in order: a key given, then the keys saved for it. */
  connect: (workspaceId: string) => Promise<Connection[]>;
  dryRun: boolean;
}): Promise<void> {
  const text = await readFile(input.file, 'utf8');
  // Judged as a local `tailor start` would; the server checks again under its own policy.
  const network = networkPolicyFor(input.file, process.env);
  const definition = parseWorkspaceYaml({ text, fileName: input.file, network });
  const valid = `${input.file}: valid (workspace ${definition.id}, ${definition.computedTraits.length} computed traits)\n`;
  if (input.dryRun) {
    process.stderr.write(valid);
    return;
  }
  const connection = await managing(await input.connect(definition.id), definition.id);
  process.stderr.write(valid);
  const request = callApi({
    connection,
    method: 'PUT',
    path: '/v1/workspace',
    auth: 'admin',
    body: text,
    contentType: 'application/yaml',
  });
  let settled = false;
  void request.finally(() => {
    settled = true;
  });
  const progress = createProgress({ total: 100, unit: '%', label: 'recomputing profiles' });
  while (!settled) {
    await Promise.race([request.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 500))]);
    if (settled) break;
    const status = (await callApi({
      connection,
      method: 'GET',
      path: '/v1/workspace',
      auth: 'admin',
    }).catch(() => undefined)) as { rebuild?: { done: number; total: number } | null } | undefined;
    if (status?.rebuild)
      progress.update(Math.floor((100 * status.rebuild.done) / Math.max(1, status.rebuild.total)));
  }
  progress.update(100);
  progress.stop();
  const result = (await request) as { version: number; rebuilt_in_ms: number };
  process.stderr.write(
    `applied: workspace ${definition.id} is at version ${result.version} (profiles recomputed in ${result.rebuilt_in_ms} ms)\n`,
  );
}

/** The first connection whose admin key manages workspace `id`; else fails, naming the way out. */
async function managing(connections: Connection[], id: string): Promise<Connection> {
  const createFirst = `create it with \`tailor workspace create ${id}\`, or give its admin key (--admin-key, TAILOR_ADMIN_KEY)`;
  const others: string[] = [];
  for (const connection of connections) {
    if (connection.adminKey === undefined) continue;
    const current = await callApi({ connection, method: 'GET', path: '/v1/workspace', auth: 'admin' }).catch(
      (error: unknown) => {
        if (error instanceof ApiError && error.status === 401)
          return { id: '(none: the server does not know it)' };
        throw error;
      },
    );
    const managed =
      typeof current === 'object' && current !== null && 'id' in current ? String(current.id) : '(unknown)';
    if (managed === id) return connection;
    others.push(managed);
  }
  throw new ApiError({
    status: 0,
    code: others.length === 0 ? 'MISSING_KEY' : 'WRONG_WORKSPACE',
    message:
      others.length === 0
        ? `No admin key for workspace ${id}: ${createFirst}`
        : `The admin key manages workspace ${others.join(', ')}, not ${id}: ${createFirst}`,
  });
}
