import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { parse, stringify } from 'yaml';
import type { RetryPolicy } from '../../src/activate/backoff.ts';
import { DEMO_NETWORK_POLICY, DEMO_WORKSPACE_FILE } from '../../src/app/settings.ts';
import type { FakeClock } from '../../src/clock.ts';
import { Activation } from '../../src/dispatch/activation.ts';
import { hashKey } from '../../src/engine/api-keys.ts';
import { Engine } from '../../src/engine/engine.ts';
import { buildServer } from '../../src/http/server.ts';
import { silentLogger } from '../../src/logger.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';

/** The SMS action the activation tests add to the demo's: below the demo reminder, on [sms, whatsapp]. */
export const SMS_ACTION = 'send_sms_checkout_nudge';
/** The email action the activation tests add: an HTML email with a link, for abandoners with an email. */
export const EMAIL_ACTION = 'send_checkout_email_with_link';
/** The link the email action carries, which click tracking rewrites. */
export const EMAIL_LINK = 'https://shop.example.com/checkout?resume=1';

/**
 * The demo workspace file (examples/demo/tailor.yaml) as YAML text, with `channels` set and two
 * actions added for people who abandoned a checkout: an SMS nudge below the demo reminder's
 * priority (3.5 against 42), and, above it (200), an HTML email with a link for people whose
 * trait `link_email` is true. `quietHours: false`
 * drops the quiet hours, for a Tailor that runs on the real clock at any hour.
 */
export function activationWorkspaceYaml(input: {
  channels: Record<string, unknown>;
  quietHours?: boolean;
}): string {
  const file: Record<string, unknown> = parse(readFileSync(DEMO_WORKSPACE_FILE, 'utf8'));
  const actions = Array.isArray(file['actions']) ? file['actions'] : [];
  const abandoned = { 'risks.checkout_abandonment': { $exists: true } };
  actions.push(
    {
      key: SMS_ACTION,
      description: 'Nudge someone we can only text about the checkout they left',
      channels: ['sms', 'whatsapp'],
      content: {
        sms: { text: "Hi {{ profile.traits.first_name | default: 'there' }}, your checkout is waiting." },
        whatsapp: {
          text: "Hi {{ profile.traits.first_name | default: 'there' }}, your checkout is waiting.",
        },
      },
      value: 10,
      propensity: 0.35,
      applicability: abandoned,
      cooldown: '24h',
    },
    {
      key: EMAIL_ACTION,
      description: 'Email a link back to the checkout',
      channels: ['email'],
      content: {
        email: {
          subject: 'Your {{ profile.computed.last_checkout_plan }} plan is waiting',
          html: `<p>Hi {{ profile.traits.first_name | default: 'there' }},</p><p><a href="${EMAIL_LINK}">Resume your checkout</a></p>`,
        },
      },
      value: 1000,
      propensity: 0.2,
      eligibility: { 'traits.link_email': true },
      applicability: abandoned,
      cooldown: '24h',
    },
  );
  file['actions'] = actions;
  file['channels'] = input.channels;
  const policy = file['contact_policy'];
  if (input.quietHours === false && typeof policy === 'object' && policy !== null)
    Reflect.deleteProperty(policy, 'quiet_hours');
  return stringify(file);
}

/** An in-process Tailor with its activate stage, listening on a free local port so providers can call back. */
export interface ActivationTailor {
  app: FastifyInstance;
  engine: Engine;
  activation: Activation;
  store: SqliteStore;
  clock: FakeClock;
  /** Where the server listens: `http://127.0.0.1:<port>`. */
  url: string;
  writeKey: string;
  adminKey: string;
  close(): Promise<void>;
}

/**
 * Opens the demo workspace (with `channels(url)`, given Tailor's own URL for email links) on a
 * SQLite store in `dir`, with a fake clock: the engine's own timers are off, so timers fire only
 * when a test calls `engine.fireDueTimers()`; the dispatcher is started (it polls every
 * `pollMs`, 20 by default, and wakes at once when decisions queue sends). Keys `wk_demo` / `ak_demo`.
 */
/**
 * A fast retry policy for tests: short waits, so a dead letter comes in a few fake-clock steps,
 * and enough attempts that a send meeting a 429 on every other request never runs out by chance.
 */
export const TEST_RETRY: RetryPolicy = { maxAttempts: 30, baseMs: 200, maxMs: 2_000 };

export async function openActivationTailor(input: {
  dir: string;
  clock: FakeClock;
  channels: (tailorUrl: string) => Record<string, unknown>;
  pollMs?: number;
}): Promise<ActivationTailor> {
  const { clock } = input;
  const store = new SqliteStore({ path: join(input.dir, 'tailor.db') });
  const engine = await Engine.open({
    store,
    clock: clock.now,
    checkpointIntervalMs: 3_600_000,
    timerIntervalMs: 3_600_000,
  });
  const activation = new Activation({
    engine,
    logger: silentLogger,
    env: {},
    pollMs: input.pollMs ?? 20,
    retry: TEST_RETRY,
    network: DEMO_NETWORK_POLICY,
  });
  const app = await buildServer({ engine, activation, network: DEMO_NETWORK_POLICY });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  await engine.applyWorkspace(
    parseWorkspaceYaml({
      text: activationWorkspaceYaml({ channels: input.channels(url) }),
      network: DEMO_NETWORK_POLICY,
    }),
  );
  await store.addKey({ workspaceId: 'demo', kind: 'write', hash: hashKey('wk_demo') });
  await store.addKey({ workspaceId: 'demo', kind: 'admin', hash: hashKey('ak_demo') });
  await activation.start();
  return {
    app,
    engine,
    activation,
    store,
    clock,
    url,
    writeKey: 'wk_demo',
    adminKey: 'ak_demo',
    async close() {
      await app.close();
      await activation.stop();
      await engine.close();
    },
  };
}
