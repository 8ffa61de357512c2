import { signWebhook } from '../../src/activate/local/local-whatsapp.ts';
import type { WhatsAppWebhookPayload } from '../../src/activate/whatsapp/whatsapp-wire.ts';
import { DEMO_NETWORK_POLICY, DEMO_WORKSPACE_FILE } from '../../src/app/settings.ts';
import { DEMO_WHATSAPP } from '../../src/cli/demo-providers.ts';
import { demoFeedback, demoStory } from '../../src/cli/demo-story.ts';
import type { FakeClock } from '../../src/clock.ts';
import { Activation } from '../../src/dispatch/activation.ts';
import { hashKey } from '../../src/engine/api-keys.ts';
import { Engine } from '../../src/engine/engine.ts';
import { buildServer } from '../../src/http/server.ts';
import { silentLogger } from '../../src/logger.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { readWorkspaceFile } from '../../src/workspace/read-workspace-file.ts';
import { sendAccepted, type TestTailor, workspaceYaml } from './test-tailor.ts';

/** The identity-verification secret the demo workspace reads (`${TAILOR_SECRET_IDENTITY}`) in tests. */
export const DEMO_IDENTITY_SECRET = 'demo-identity-secret';

/** The workspace beside the demo one, whose keys must never reach the demo's profiles. */
export const OTHER_WORKSPACE = 'other';

/**
 * Opens an in-process Tailor on the SQLite database at `path` with the demo workspace
 * (examples/demo/tailor.yaml, keys `wk_demo` / `ak_demo`) and a small `other` workspace
 * (`wk_other` / `ak_other`), on the given fake clock. Reopening the same database loads what it
 * holds: the workspaces are applied (and keys added) only the first time, so a reopen replays
 * and never rebuilds. Timers fire only when a test calls `engine.fireDueTimers()`. With
 * `triggers: false` the demo workspace is applied without its `decision_triggers` and journeys:
 * nothing decides on its own, so a test of explicit decisions sees no contact a triggered
 * decision planned.
 */
export async function openDemoTailor(input: {
  path: string;
  clock: FakeClock;
  triggers?: boolean;
}): Promise<TestTailor> {
  const { clock } = input;
  const store = new SqliteStore({ path: input.path });
  const engine = await Engine.open({
    store,
    clock: clock.now,
    checkpointIntervalMs: 3_600_000,
    timerIntervalMs: 3_600_000,
  });
  if (engine.workspace('demo') === undefined) {
    const demo = await readWorkspaceFile(DEMO_WORKSPACE_FILE, { network: DEMO_NETWORK_POLICY });
    const { decisions } = demo;
    const untriggered = input.triggers === false && decisions !== undefined;
    await engine.applyWorkspace(
      untriggered ? { ...demo, decisions: { ...decisions, triggers: [] }, journeys: [] } : demo,
    );
    await engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml(OTHER_WORKSPACE) }));
    for (const id of ['demo', OTHER_WORKSPACE]) {
      await store.addKey({ workspaceId: id, kind: 'write', hash: hashKey(`wk_${id}`) });
      await store.addKey({ workspaceId: id, kind: 'admin', hash: hashKey(`ak_${id}`) });
    }
  }
  // Not started: nothing is sent, but the provider webhooks and the outbox API are served.
  const activation = new Activation({ engine, logger: silentLogger, env: {}, network: DEMO_NETWORK_POLICY });
  const app = await buildServer({
    engine,
    activation,
    env: { TAILOR_SECRET_IDENTITY: DEMO_IDENTITY_SECRET },
  });
  return {
    app,
    engine,
    store,
    clock,
    writeKey: 'wk_demo',
    adminKey: 'ak_demo',
    async close() {
      await app.close();
      await engine.close();
    },
  };
}

/** Resolves once `check` returns a value other than undefined, polling every 10 ms for up to `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 2_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`nothing came within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Posts WhatsApp webhooks to the demo workspace, signed with the demo's app secret, as the provider does. */
export async function deliverDemoWebhooks(
  t: TestTailor,
  payloads: readonly WhatsAppWebhookPayload[],
): Promise<void> {
  for (const payload of payloads) {
    const body = JSON.stringify(payload);
    const reply = await t.app.inject({
      method: 'POST',
      url: '/v1/webhooks/demo/whatsapp',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signWebhook(body, DEMO_WHATSAPP.appSecret),
      },
      payload: body,
    });
    if (reply.statusCode !== 200) throw new Error(`the webhook answered ${reply.statusCode}: ${reply.body}`);
  }
}

/** The demo story as it reaches Tailor: her browser's calls with the write key, her replies through the signed WhatsApp webhook. */
export async function sendDemoStory(t: TestTailor, now: number): Promise<void> {
  await sendAccepted(t, '/v1/batch', { batch: demoStory(now) });
  await deliverDemoWebhooks(t, demoFeedback(now));
}
