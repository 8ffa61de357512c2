import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type FakeClock, fakeClock } from '../../src/clock.ts';
import { hashKey } from '../../src/engine/api-keys.ts';
import { Engine, type EngineOptions } from '../../src/engine/engine.ts';
import { buildServer } from '../../src/http/server.ts';
import { normalizeCall } from '../../src/ingest/normalize-call.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';

/** A small workspace file for tests: a few computed traits over a store's events. */
export function workspaceYaml(id: string, extraTraits = ''): string {
  return `
workspace:
  id: ${id}
  name: Test ${id}
identity:
  default_country: IN
computed_traits:
  - key: orders
    aggregate: count
    events: [Order Completed]
  - key: revenue_30d
    aggregate: sum
    events: [Order Completed]
    property: properties.revenue
    window: 30d
  - key: preferred_channel
    aggregate: most_frequent
    events: [Message Clicked, Message Replied]
    property: properties.channel
${extraTraits}`;
}

/** A fresh temporary directory. */
export function tempDir(prefix = 'tailor-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** An in-process Tailor for tests: engine, Fastify app (use `inject`), keys and a fake clock. */
export interface TestTailor {
  app: FastifyInstance;
  engine: Engine;
  store: Store;
  clock: FakeClock;
  writeKey: string;
  adminKey: string;
  close(): Promise<void>;
}

/** Opens a test Tailor with one or more workspaces, each with keys `wk_<id>` and `ak_<id>`. */
export async function openTestTailor(
  input: { workspaces?: string[]; path?: string; engine?: Partial<EngineOptions> } = {},
): Promise<TestTailor> {
  const clock = fakeClock('2026-03-01T10:00:00Z');
  const store = new SqliteStore({ path: input.path ?? ':memory:' });
  const engine = await Engine.open({
    store,
    clock: clock.now,
    checkpointIntervalMs: 60_000,
    ...input.engine,
  });
  const workspaces = input.workspaces ?? ['shop'];
  for (const id of workspaces) {
    await engine.applyWorkspace(parseWorkspaceYaml({ text: workspaceYaml(id) }));
    await store.addKey({ workspaceId: id, kind: 'write', hash: hashKey(`wk_${id}`) });
    await store.addKey({ workspaceId: id, kind: 'admin', hash: hashKey(`ak_${id}`) });
  }
  const app = await buildServer({ engine });
  const first = workspaces[0] ?? 'shop';
  return {
    app,
    engine,
    store,
    clock,
    writeKey: `wk_${first}`,
    adminKey: `ak_${first}`,
    async close() {
      await app.close();
      await engine.close();
    },
  };
}

/** HTTP Basic header for a write key, as Segment clients send it. */
export function basic(writeKey: string, withColon = true): string {
  return `Basic ${Buffer.from(withColon ? `${writeKey}:` : writeKey).toString('base64')}`;
}

/** Bearer header for an admin key. */
export function bearer(adminKey: string): string {
  return `Bearer ${adminKey}`;
}

/**
 * Ingests one track call the way a verified provider callback does, past the tracking edge:
 * for feedback (`Message Clicked`, …) that a write key may not send (RESERVED_EVENT).
 */
export async function ingestAsProvider(tailor: TestTailor, body: Record<string, unknown>): Promise<void> {
  const workspaceId = tailor.writeKey.replace(/^wk_/, '');
  const { events, rejected } = normalizeCall({ body, call: 'track', receivedAt: tailor.clock.now() });
  if (rejected.length > 0) throw new Error(`not a track call: ${rejected[0]?.message}`);
  await tailor.engine.ingest(workspaceId, events);
}

/** Posts one tracking call with the test Tailor's write key and expects it accepted (200). */
export async function sendAccepted(
  tailor: TestTailor,
  path: string,
  body: Record<string, unknown>,
): Promise<void> {
  const reply = await tailor.app.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/json', authorization: basic(tailor.writeKey) },
    payload: JSON.stringify(body),
  });
  if (reply.statusCode !== 200) throw new Error(`${path} answered ${reply.statusCode}: ${reply.body}`);
}
