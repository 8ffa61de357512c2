import { Command } from 'commander';
import { isTailorError } from '../errors.ts';
import { applyCommand } from './apply-command.ts';
import { ApiError, type ConnectionFlags, resolveConnection } from './connection.ts';
import { parseContactMap } from './contact-map.ts';
import { demoCommand } from './demo-command.ts';
import { showExperiment } from './experiments-command.ts';
import { importFile } from './import-command.ts';
import { listJourneys, setJourneyPaused } from './journeys-command.ts';
import { createKey, listKeys, revokeKey } from './keys-command.ts';
import { profileCommand } from './profile-command.ts';
import { simulateCommand } from './simulate-command.ts';
import { startCommand } from './start-command.ts';
import { createWorkspace } from './workspace-command.ts';

// Everything Tailor writes (database, WAL, keys, import state) may hold personal data or
// secrets: files this process creates are private to its user, whatever the shell's umask.
process.umask(0o077);

/** Prints an error the way a person can act on it, then exits non-zero. */
function fail(error: unknown): never {
  if (isTailorError(error)) {
    process.stderr.write(`error ${error.code}: ${error.message}\n`);
    for (const detail of error.details) process.stderr.write(`  ${detail.path}: ${detail.message}\n`);
  } else if (error instanceof ApiError) {
    process.stderr.write(`error ${error.code}: ${error.message}\n`);
  } else {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
}

function withConnection(command: Command): Command {
  return command
    .option(
      '--url <url>',
      'Tailor server (env TAILOR_URL; default http://<TAILOR_HOST>:<TAILOR_PORT>, http://127.0.0.1:3000)',
    )
    .option('--write-key <key>', 'write key (env TAILOR_WRITE_KEY; default: the key saved by a local start)')
    .option('--admin-key <key>', 'admin key (env TAILOR_ADMIN_KEY; default: the key saved by a local start)')
    .option(
      '--operator-key <key>',
      'operator key (env TAILOR_OPERATOR_KEY; default: the key saved by a local start)',
    )
    .option('--data-dir <dir>', 'where a local `tailor start` saved its keys (env TAILOR_DATA_DIR)')
    .option('--workspace <id>', "workspace whose saved keys to use (default demo; `apply`: the file's)");
}

const program = new Command('tailor')
  .description('Tailor: real-time personalization engine')
  .showHelpAfterError();

program
  .command('start')
  .description('run the Tailor server (embedded SQLite store and the demo workspace by default)')
  .option('--port <port>', 'port to listen on (env TAILOR_PORT)', undefined)
  .option('--host <host>', 'address to listen on (env TAILOR_HOST)')
  .option('--data-dir <dir>', 'data directory for the embedded store and keys (env TAILOR_DATA_DIR)')
  .option(
    '--store <url>',
    'store URL: sqlite:<path> or postgres://user@host/db?schema=name (env TAILOR_STORE; default sqlite:<data-dir>/tailor.db)',
  )
  .option('--config <file>', 'workspace file to load (env TAILOR_CONFIG; default: the demo workspace)')
  .action((flags) => startCommand(flags).catch(fail));

withConnection(
  program
    .command('import <file>')
    .description(
      'send a JSONL file of Segment events, or a CSV file of contacts as identify calls, through the pipeline (resumable, with progress)',
    ),
)
  .option(
    '--map <fields>',
    'CSV contacts: trait=Column pairs, e.g. email=Email,first_name=First (default: every column as its own trait)',
  )
  .action(async (file: string, flags: ConnectionFlags & { map?: string }) => {
    try {
      const connection = await resolveConnection(flags);
      const summary = await importFile({
        path: file,
        connection,
        log: (line) => process.stderr.write(`${line}\n`),
        ...(flags.map === undefined ? {} : { map: parseContactMap(flags.map) }),
      });
      for (const bad of summary.bad) process.stderr.write(`line ${bad.line}: ${bad.reason}\n`);
      process.stdout.write(
        `imported ${summary.sent} events (${summary.duplicates} already present, ${summary.bad.length} bad lines skipped)\n`,
      );
    } catch (error) {
      fail(error);
    }
  });

withConnection(
  program
    .command('demo')
    .description('send the demo story to a running Tailor (demo workspace) and print the unified profile'),
).action(async (flags: ConnectionFlags) => {
  try {
    await demoCommand({
      connection: await resolveConnection(flags),
      now: Date.now(),
      print: (line) => process.stdout.write(`${line}\n`),
    });
  } catch (error) {
    fail(error);
  }
});

withConnection(
  program
    .command('profile <ref>')
    .description('print a profile by id or identifier (email:a@b.com, user_id:42)'),
)
  .option('--events', 'include the most recent events')
  .action(async (ref: string, flags: ConnectionFlags & { events?: boolean }) => {
    try {
      await profileCommand({
        ref,
        connection: await resolveConnection(flags),
        events: flags.events === true,
      });
    } catch (error) {
      fail(error);
    }
  });

withConnection(
  program
    .command('apply <file>')
    .description('validate a workspace file and apply it to the running server (re-computes profiles)'),
)
  .option('--dry-run', 'only validate the file')
  .action(async (file: string, flags: ConnectionFlags & { dryRun?: boolean }) => {
    try {
      await applyCommand({
        file,
        connect: async (workspaceId) => {
          const scoped = { ...flags, workspace: flags.workspace ?? workspaceId };
          const given = await resolveConnection(scoped);
          // A TAILOR_ADMIN_KEY of another workspace (the demo's) must not hide this one's saved key.
          const saved =
            flags.adminKey === undefined && process.env.TAILOR_ADMIN_KEY !== undefined
              ? await resolveConnection(scoped, { ...process.env, TAILOR_ADMIN_KEY: undefined })
              : undefined;
          return saved === undefined ? [given] : [given, saved];
        },
        dryRun: flags.dryRun === true,
      });
    } catch (error) {
      fail(error);
    }
  });

withConnection(
  program
    .command('workspace <action> <id>')
    .description(
      '`create <id>`: create a workspace on the running server (operator key) and print its keys, once',
    ),
)
  .option('--name <name>', 'the name people see (default: the id)')
  .action(async (action: string, id: string, flags: ConnectionFlags & { name?: string }) => {
    try {
      if (action !== 'create') throw new Error('use `tailor workspace create <id> [--name <name>]`');
      process.stdout.write(
        await createWorkspace({
          connection: await resolveConnection(flags),
          id,
          ...(flags.name === undefined ? {} : { name: flags.name }),
          dataDir: flags.dataDir ?? process.env.TAILOR_DATA_DIR ?? './data',
        }),
      );
    } catch (error) {
      fail(error);
    }
  });

withConnection(
  program
    .command('journeys [action] [key]')
    .description(
      'list journeys with their counts per step, or `pause <key>` / `resume <key>` one (runs hold before their next action while paused)',
    ),
).action(async (action: string | undefined, key: string | undefined, flags: ConnectionFlags) => {
  try {
    const connection = await resolveConnection(flags);
    if (action === undefined) process.stdout.write(await listJourneys({ connection }));
    else if ((action === 'pause' || action === 'resume') && key !== undefined)
      process.stdout.write(await setJourneyPaused({ connection, key, paused: action === 'pause' }));
    else
      throw new Error(
        'use `tailor journeys`, `tailor journeys pause <key>` or `tailor journeys resume <key>`',
      );
  } catch (error) {
    fail(error);
  }
});

withConnection(
  program
    .command('experiments [key]')
    .description(
      'an experiment of the workspace, or `holdout` (the default: next best action against the holdout): exposures, conversions, rate, lift against control with its 95% interval; for the holdout, what each learning action learned',
    ),
).action(async (key: string | undefined, flags: ConnectionFlags) => {
  try {
    const connection = await resolveConnection(flags);
    process.stdout.write(await showExperiment({ connection, key: key ?? 'holdout' }));
  } catch (error) {
    fail(error);
  }
});

program
  .command('simulate <scenario>')
  .description(
    'run a synthetic population (scenario YAML) through the engine in accelerated time and compare the learned policy with the best static rule, random, holdout and the oracle',
  )
  .action(async (path: string) => {
    try {
      const { report, met } = await simulateCommand({
        path,
        onProgress: (done, total) => {
          if (done % 2_000 === 0 || done === total) process.stderr.write(`  ${done}/${total} decisions\r`);
        },
      });
      process.stderr.write('\n');
      process.stdout.write(report);
      if (!met) process.exitCode = 2;
    } catch (error) {
      fail(error);
    }
  });

withConnection(
  program
    .command('keys [action] [id]')
    .description(
      'list the workspace keys (ids, hints, times; never the keys), `create` a key (printed once), or `revoke <id>` one at once',
    ),
)
  .option('--kind <kind>', 'with create: write or admin', 'write')
  .option('--name <name>', 'with create: a label for the key')
  .action(
    async (
      action: string | undefined,
      id: string | undefined,
      flags: ConnectionFlags & { kind: string; name?: string },
    ) => {
      try {
        const connection = await resolveConnection(flags);
        if (action === undefined || action === 'list') process.stdout.write(await listKeys({ connection }));
        else if (action === 'create' && (flags.kind === 'write' || flags.kind === 'admin'))
          process.stdout.write(
            await createKey({
              connection,
              kind: flags.kind,
              ...(flags.name === undefined ? {} : { name: flags.name }),
            }),
          );
        else if (action === 'revoke' && id !== undefined)
          process.stdout.write(await revokeKey({ connection, id }));
        else
          throw new Error(
            'use `tailor keys list`, `tailor keys create [--kind write|admin] [--name <label>]` or `tailor keys revoke <id>`',
          );
      } catch (error) {
        fail(error);
      }
    },
  );

await program.parseAsync(process.argv);
