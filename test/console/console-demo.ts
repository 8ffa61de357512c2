import { DEMO_NETWORK_POLICY, DEMO_WORKSPACE_FILE } from '../../src/app/settings.ts';
import { type DemoResult, demoCommand } from '../../src/cli/demo-command.ts';
import { Activation } from '../../src/dispatch/activation.ts';
import { hashKey } from '../../src/engine/api-keys.ts';
import { Engine } from '../../src/engine/engine.ts';
import { buildServer } from '../../src/http/server.ts';
import { silentLogger } from '../../src/logger.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { readWorkspaceSource } from '../../src/workspace/read-workspace-file.ts';

/** The admin key the console signs in with in these tests. */
export const CONSOLE_ADMIN_KEY = 'ak_console_test';

/** A Tailor serving the console, listening on a free port, after `tailor demo` told its story through it. */
export interface ConsoleDemo {
  url: string;
  engine: Engine;
  store: SqliteStore;
  demo: DemoResult;
  /** The id of the dead letter left in the outbox (see `openConsoleDemo`). */
  deadLetterId: string;
  close(): Promise<void>;
}

/**
 * Starts Tailor on the demo workspace (SQLite at `path`) with its activation, runs the demo
 * command against it over HTTP as `npm run demo` does, and leaves one dead letter: a WhatsApp
 * send taken by the outbox as the dispatcher takes one (`claimSends`) and ended dead by the
 * outcome of a refused last attempt (`finishSend`), so the console has one to re-drive. The
 * clock stands still at `now`, so retries and timers wait for nobody.
 */
export async function openConsoleDemo(input: { path: string; now: number }): Promise<ConsoleDemo> {
  const store = new SqliteStore({ path: input.path });
  const engine = await Engine.open({ store, clock: () => input.now + 60_000 });
  // As `tailor start` applies the workspace file: kept as version 1 with its text.
  const file = await readWorkspaceSource(DEMO_WORKSPACE_FILE, { network: DEMO_NETWORK_POLICY });
  await engine.applyWorkspace(file.definition, {
    source: { origin: 'file', keyId: null, text: file.text, at: engine.clock() },
  });
  await store.addKey({ workspaceId: 'demo', kind: 'write', hash: hashKey('wk_console_test') });
  await store.addKey({ workspaceId: 'demo', kind: 'admin', hash: hashKey(CONSOLE_ADMIN_KEY) });
  const activation = new Activation({
    engine,
    logger: silentLogger,
    env: {},
    pollMs: 50,
    network: DEMO_NETWORK_POLICY,
  });
  await activation.start();
  const app = await buildServer({ engine, activation, network: DEMO_NETWORK_POLICY });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const demo = await demoCommand({
    connection: { url, writeKey: 'wk_console_test', adminKey: CONSOLE_ADMIN_KEY },
    now: input.now,
    print: () => undefined,
  });
  await activation.stop();
  const meera = await engine.reads.findProfile('demo', `email:${demo.cast.meera.email}`);
  if (meera === undefined) throw new Error('the demo made no profile for Meera');
  const at = engine.clock();
  const deadLetterId = 'console-test-dead-letter:whatsapp';
  await store.enqueueSends([
    {
      workspaceId: 'demo',
      id: deadLetterId,
      profileId: meera.id,
      channel: 'whatsapp',
      to: demo.cast.meera.phone,
      content: { text: 'Your annual plan is waiting.' },
      action: 'send_personalized_checkout_reminder',
      trigger: 'event:Checkout Abandoned',
      status: 'pending',
      attempts: 0,
      nextAttemptAt: at - 1,
      createdAt: at,
      updatedAt: at,
    },
  ]);
  const claimed = await store.claimSends(at, 100);
  for (const send of claimed)
    await store.finishSend({
      workspaceId: send.workspaceId,
      id: send.id,
      status: send.id === deadLetterId ? 'dead' : 'pending',
      ...(send.id === deadLetterId
        ? { lastError: 'provider answered 503 on the last attempt' }
        : { nextAttemptAt: at }),
      at,
    });
  return {
    url,
    engine,
    store,
    demo,
    deadLetterId,
    async close() {
      await app.close();
      await engine.close();
    },
  };
}
