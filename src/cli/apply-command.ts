import { readFile } from 'node:fs/promises';
import { networkPolicyFor } from '../app/settings.ts';
import { parseWorkspaceYaml } from '../workspace/load-workspace.ts';
import { type Connection, callApi } from './connection.ts';
import { createProgress } from './progress.ts';

/**
 * `tailor apply tailor.yaml`: validates the workspace file locally (errors point at line and
 * field), then sends it to the running server, which re-computes every profile from the
 * event log; progress is shown while it does. Channel URLs are checked locally under the policy
 * a local `tailor start` would use (`TAILOR_ALLOW_HTTP_HOSTS`), and again by the server under its own.
 */
export async function applyCommand(input: {
  file: string;
  connection: Connection;
  dryRun: boolean;
}): Promise<void> {
  const text = await readFile(input.file, 'utf8');
  // Judged as a local `tailor start` would; the server checks again under its own policy.
  const network = networkPolicyFor(input.file, process.env);
  const definition = parseWorkspaceYaml({ text, fileName: input.file, network });
  process.stderr.write(
    `${input.file}: valid (workspace ${definition.id}, ${definition.computedTraits.length} computed traits)\n`,
  );
  if (input.dryRun) return;
  const request = callApi({
    connection: input.connection,
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
      connection: input.connection,
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
