import { mkdir } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { Activation } from '../activate/activation.ts';
import { Engine, type ProgressListener } from '../engine/engine.ts';
import { buildServer } from '../http/server.ts';
import { openStore } from '../store/open-store.ts';
import { readWorkspaceFile } from '../workspace/read-workspace-file.ts';
import type { Settings } from './settings.ts';
import { ensureWorkspaceKeys, type WorkspaceKeys } from './workspace-keys.ts';

/** A running Tailor: its engine, HTTP server, address and the loaded workspace's keys. */
export interface RunningTailor {
  engine: Engine;
  server: FastifyInstance;
  url: string;
  workspaceId: string;
  keys: WorkspaceKeys;
  /** Stops accepting requests, drains and commits, closes the store. */
  close(): Promise<void>;
}

/**
 * Starts Tailor: opens the store, recovers the view, loads the workspace file (re-computing
 * profiles when its definition changed), makes sure the workspace has keys, and listens.
 */
export async function startTailor(settings: Settings, onProgress?: ProgressListener): Promise<RunningTailor> {
  const logger = pino({ level: settings.logLevel, base: { service: 'tailor' } });
  await mkdir(settings.dataDir, { recursive: true });
  const definition = await readWorkspaceFile(settings.configFile);
  const store = openStore(settings.storeUrl);
  const engine = await Engine.open(
    {
      store,
      logger,
      checkpointIntervalMs: settings.checkpointIntervalMs,
      maxPendingEvents: settings.maxPendingEvents,
      maxQueueMs: settings.maxQueueMs,
    },
    onProgress,
  );
  const current = engine.workspace(definition.id);
  if (current === undefined || !isDeepStrictEqual(current.definition, definition)) {
    logger.info({ workspace: definition.id, file: settings.configFile }, 'applying workspace definition');
    await engine.applyWorkspace(definition, onProgress);
  }
  const keys = await ensureWorkspaceKeys({
    store,
    dataDir: settings.dataDir,
    workspaceId: definition.id,
    given: {
      ...(settings.writeKey ? { writeKey: settings.writeKey } : {}),
      ...(settings.adminKey ? { adminKey: settings.adminKey } : {}),
    },
  });
  const activation = new Activation({
    engine,
    logger,
    env: process.env,
    ...(settings.publicUrl === undefined ? {} : { publicUrl: settings.publicUrl }),
    ...(settings.sendReconcileMs === undefined ? {} : { reconcileMs: settings.sendReconcileMs }),
  });
  await activation.start();
  const server = await buildServer({
    engine,
    logger,
    activation,
    admission: { maxInflightBytes: settings.maxInflightBytes, maxQueueMs: settings.maxQueueMs },
    ...(settings.publicUrl === undefined ? {} : { publicUrl: settings.publicUrl }),
  });
  const address = await server.listen({ host: settings.host, port: settings.port });
  return {
    engine,
    server,
    url: address,
    workspaceId: definition.id,
    keys,
    async close() {
      await server.close();
      await activation.stop();
      await engine.close();
    },
  };
}
