import { DEMO_NETWORK_POLICY, DEMO_WORKSPACE_FILE } from '../../src/app/settings.ts';
import type { FakeClock } from '../../src/clock.ts';
import { hashKey } from '../../src/engine/api-keys.ts';
import { Engine } from '../../src/engine/engine.ts';
import { buildServer } from '../../src/http/server.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { readWorkspaceFile } from '../../src/workspace/read-workspace-file.ts';
import { type TestTailor, workspaceYaml } from './test-tailor.ts';

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
  const app = await buildServer({ engine });
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
