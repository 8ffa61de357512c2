import { createHmac } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { Activation } from '../dispatch/activation.ts';
import { Engine } from '../engine/engine.ts';
import type { ProgressListener } from '../engine/workspace-replay.ts';
import { buildServer } from '../http/server.ts';
import { TailorMetrics } from '../metrics/tailor-metrics.ts';
import { timedStore } from '../metrics/timed-store.ts';
import { openStore } from '../store/open-store.ts';
import { readWorkspaceSource } from '../workspace/read-workspace-file.ts';
import { ensureOperatorKey } from './operator-key.ts';
import { makeDataDirPrivate } from './private-data-dir.ts';
import type { Settings } from './settings.ts';
import { ensureWorkspaceKeys, type WorkspaceKeys } from './workspace-keys.ts';

/**
 * Fields pino writes as `[Redacted]` wherever a log line carries them: request credentials and
 * channel secrets, should an object holding them ever be logged.
 */
export const LOG_REDACTIONS = [
  'req.headers.authorization',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-twilio-signature"]',
  'headers.authorization',
  '*.headers.authorization',
  '*.authorization',
  '*.password',
  '*.pass',
  '*.accessToken',
  '*.authToken',
  '*.appSecret',
  '*.verifyToken',
  '*.linkSecret',
  '*.secret',
  '*.writeKey',
  '*.adminKey',
  '*.operatorKey',
];

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
  const logger = pino({ level: settings.logLevel, base: { service: 'tailor' }, redact: LOG_REDACTIONS });
  const tightened = await makeDataDirPrivate(settings.dataDir);
  if (tightened.length > 0)
    logger.warn(
      { paths: tightened },
      'data directory was readable by others: made it private (0700, files 0600)',
    );
  const source = await readWorkspaceSource(settings.configFile, { network: settings.network });
  const { definition } = source;
  const metrics = new TailorMetrics();
  const store = timedStore(openStore(settings.storeUrl), metrics);
  const engine = await Engine.open(
    {
      store,
      logger,
      onTimerFired: (lateMs) => metrics.timerFired(lateMs),
      checkpointIntervalMs: settings.checkpointIntervalMs,
      cacheMb: settings.cacheMb,
      maxPendingEvents: settings.maxPendingEvents,
      maxQueueMs: settings.maxQueueMs,
    },
    onProgress,
  );
  const current = engine.workspace(definition.id);
  if (current === undefined || !isDeepStrictEqual(current.definition, definition)) {
    logger.info({ workspace: definition.id, file: settings.configFile }, 'applying workspace definition');
    await engine.applyWorkspace(definition, {
      ...(onProgress === undefined ? {} : { onProgress }),
      source: { origin: 'file', keyId: null, text: source.text, at: engine.clock() },
    });
  }
  const { keys, replaced } = await ensureWorkspaceKeys({
    store,
    dataDir: settings.dataDir,
    workspaceId: definition.id,
    given: {
      ...(settings.writeKey ? { writeKey: settings.writeKey } : {}),
      ...(settings.adminKey ? { adminKey: settings.adminKey } : {}),
    },
  });
  for (const key of replaced)
    logger.info(
      { workspace: definition.id, key: key.id, kind: key.kind, hint: key.hint },
      'key replaced by the one given at start: revoked',
    );
  const operatorKey = await ensureOperatorKey({ dataDir: settings.dataDir, given: settings.operatorKey });
  const activation = new Activation({
    engine,
    logger,
    env: process.env,
    network: settings.network,
    ...(settings.publicUrl === undefined ? {} : { publicUrl: settings.publicUrl }),
    ...(settings.sendReconcileMs === undefined ? {} : { reconcileMs: settings.sendReconcileMs }),
  });
  metrics.watch({
    pendingEvents: () => engine.pendingEvents,
    queueWaitMs: () => engine.queueWaitMs(),
    recovering: () => engine.recovering,
    rebuilds: () =>
      engine.workspaceIds().flatMap((workspaceId) => {
        const progress = engine.rebuildProgress(workspaceId);
        return progress === undefined ? [] : [{ workspaceId, ...progress }];
      }),
  });
  activation.dispatcher.onAttempts((send, outcome) => metrics.sendAttempted(send.channel, outcome.kind));
  const server = await buildServer({
    engine,
    logger,
    metrics,
    activation,
    network: settings.network,
    operatorKey,
    // Derived, so every node given the same operator key takes the others' exposure proofs.
    exposureKey: createHmac('sha256', operatorKey).update('tailor exposure proofs').digest(),
    demoWriteKey: keys.writeKey,
    admission: { maxInflightBytes: settings.maxInflightBytes, maxQueueMs: settings.maxQueueMs },
    ...(settings.publicUrl === undefined ? {} : { publicUrl: settings.publicUrl }),
  });
  const address = await server.listen({ host: settings.host, port: settings.port });
  // Sends in doubt after a crash wait for their providers' callbacks from now on, when those
  // callbacks can be received: started before listening, the window would be that much shorter.
  await activation.start();
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
