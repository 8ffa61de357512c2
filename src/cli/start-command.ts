import { readSettings, type SettingFlags } from '../app/settings.ts';
import { type RunningTailor, startTailor } from '../app/start-tailor.ts';
import { keysFile } from '../app/workspace-keys.ts';
import { createProgress, type Progress } from './progress.ts';

/**
 * `tailor start`: runs Tailor until SIGINT/SIGTERM, printing the address and the workspace's
 * keys so scripts (and people) can use them straight away.
 */
export async function startCommand(flags: SettingFlags): Promise<void> {
  const settings = readSettings(flags);
  // Listen for signals before starting, so stopping during a long replay is clean too: the
  // log is the source of truth and an interrupted replay simply runs again on the next start.
  let running: RunningTailor | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: stopping Tailor…\n`);
    (running?.close() ?? Promise.resolve()).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  let progress: Progress | undefined;
  running = await startTailor(settings, ({ done, total }) => {
    if (total === 0) return;
    progress ??= createProgress({ total, unit: 'log positions', label: 'replaying events' });
    progress.update(done);
    if (done >= total) {
      progress.stop();
      progress = undefined;
    }
  });
  // A key the deployer supplied is a secret they already hold: never echo it into logs.
  const shownAdminKey =
    settings.adminKey === undefined ? running.keys.adminKey : '(as set in TAILOR_ADMIN_KEY)';
  const lines = [
    '',
    `Tailor is running on ${running.url}`,
    `  workspace   ${running.workspaceId}   (${settings.configFile})`,
    `  store       ${settings.storeUrl}`,
    `  write key   ${running.keys.writeKey}   (TAILOR_WRITE_KEY; HTTP Basic username for /v1/track, /v1/batch, …)`,
    `  admin key   ${shownAdminKey}   (TAILOR_ADMIN_KEY; Authorization: Bearer … for /v1/profiles, /v1/workspace)`,
    `  API docs    ${running.url}/openapi.json`,
    '',
    'Try:',
    `  curl -u ${running.keys.writeKey}: ${running.url}/v1/identify -d '{"userId":"USR_1001","traits":{"email":"ada@example.com"}}'`,
    `  curl -H "Authorization: Bearer ${settings.adminKey === undefined ? running.keys.adminKey : '$TAILOR_ADMIN_KEY'}" ${running.url}/v1/profiles/email:ada@example.com`,
    '',
  ];
  if (process.stdout.isTTY || process.env.TAILOR_BANNER === '1') {
    process.stdout.write(`${lines.join('\n')}\n`);
    return;
  }
  // Under a process manager stdout is the log: one JSON line in pino's shape, whatever
  // TAILOR_LOG_LEVEL, saying where Tailor listens — no keys (they are in the data dir) and no
  // store URL (it may hold a password).
  const started = {
    level: 30,
    time: Date.now(),
    service: 'tailor',
    url: running.url,
    workspace: running.workspaceId,
    config: settings.configFile,
    keys: keysFile(settings.dataDir, running.workspaceId),
    msg: `Tailor is running on ${running.url} (workspace ${running.workspaceId})`,
  };
  process.stdout.write(`${JSON.stringify(started)}\n`);
}
