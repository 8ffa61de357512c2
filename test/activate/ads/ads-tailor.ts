import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type LocalGoogleAds, startLocalGoogleAds } from '../../../src/activate/local/local-google-ads.ts';
import { type LocalMetaAds, startLocalMetaAds } from '../../../src/activate/local/local-meta-ads.ts';
import { DEMO_NETWORK_POLICY } from '../../../src/app/settings.ts';
import { Activation } from '../../../src/dispatch/activation.ts';
import { hashKey } from '../../../src/engine/api-keys.ts';
import { Engine } from '../../../src/engine/engine.ts';
import { TailorError } from '../../../src/errors.ts';
import { buildServer } from '../../../src/http/server.ts';
import type { TailorEvent } from '../../../src/ingest/event.ts';
import { normalizeCall } from '../../../src/ingest/normalize-call.ts';
import { silentLogger } from '../../../src/logger.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../../../src/workspace/load-workspace.ts';

/** A workspace with one segment, `vip` (trait `vip` true), and the ads channels given as YAML. */
export function adsWorkspaceYaml(channels: string): string {
  return `
workspace:
  id: shop
  name: Shop
identity:
  default_country: IN
segments:
  - key: vip
    when: { traits.vip: true }
channels:
${channels}`;
}

/** The local Meta and Google servers, each with a list for `vip` (`VIP customers`). */
export interface VipPlatforms {
  meta: LocalMetaAds;
  audience: string;
  google: LocalGoogleAds;
  userList: string;
}

/** Starts the local Meta and Google servers, each with a list for `vip`. */
export async function startVipPlatforms(): Promise<VipPlatforms> {
  const meta = await startLocalMetaAds();
  const google = await startLocalGoogleAds();
  return {
    meta,
    audience: meta.createAudience('VIP customers'),
    google,
    userList: google.createUserList('VIP customers'),
  };
}

/**
 * The `meta_audiences` and `google_customer_match` channels of the local servers, each mirroring
 * `vip` on its list, as workspace-file YAML (`metaExtra` adds a line to Meta's section).
 */
export function vipChannelsYaml(input: VipPlatforms & { metaExtra?: string }): string {
  const { meta, audience, google, userList } = input;
  return `
  meta_audiences:
    base_url: ${meta.baseUrl}
    access_token: ${meta.accessToken}
    audiences: { vip: "${audience}" }${input.metaExtra === undefined ? '' : `\n    ${input.metaExtra}`}
  google_customer_match:
    base_url: ${google.baseUrl}
    customer_id: "${google.customerId}"
    developer_token: ${google.developerToken}
    access_token: ${google.accessToken}
    audiences: { vip: ${userList} }
`;
}

/** An in-process Tailor (engine and dispatcher, real clock) over a SQLite file, for ads sync tests. */
export interface AdsTailor {
  engine: Engine;
  activation: Activation;
  store: SqliteStore;
  /** The HTTP API (use `inject`); the admin key is `ak_shop`. */
  app: FastifyInstance;
  /** Ingests identify calls, as the tracking API would after validation. */
  identify(bodies: Record<string, unknown>[]): Promise<void>;
  track(bodies: Record<string, unknown>[]): Promise<void>;
  close(): Promise<void>;
}

/** Opens the workspace `yaml` on a SQLite store in `dir`, with its dispatcher started. */
export async function openAdsTailor(input: {
  dir: string;
  yaml: string;
  pollMs?: number;
  /** How often the audience reconciliation schedule is looked at (ms). */
  reconcileCheckMs?: number;
}): Promise<AdsTailor> {
  const store = new SqliteStore({ path: join(input.dir, 'tailor.db') });
  const engine = await Engine.open({ store, checkpointIntervalMs: 500, timerIntervalMs: 3_600_000 });
  await engine.applyWorkspace(parseWorkspaceYaml({ text: input.yaml, network: DEMO_NETWORK_POLICY }));
  const activation = new Activation({
    engine,
    logger: silentLogger,
    env: {},
    pollMs: input.pollMs ?? 20,
    retry: { maxAttempts: 50, baseMs: 20, maxMs: 200 },
    network: DEMO_NETWORK_POLICY,
    ...(input.reconcileCheckMs === undefined ? {} : { reconcileCheckMs: input.reconcileCheckMs }),
  });
  await activation.start();
  await store.addKey({ workspaceId: 'shop', kind: 'admin', hash: hashKey('ak_shop') });
  const app = await buildServer({ engine, activation, network: DEMO_NETWORK_POLICY });
  const ingest = async (call: 'identify' | 'track', bodies: Record<string, unknown>[]) => {
    const events: TailorEvent[] = [];
    for (const body of bodies) events.push(...normalizeCall({ body, call, receivedAt: Date.now() }).events);
    for (let i = 0; i < events.length; i += 500) {
      const slice = events.slice(i, i + 500);
      // A busy writer asks clients to come back (OVERLOADED); a client does.
      for (;;) {
        try {
          await engine.ingest('shop', slice);
          break;
        } catch (error) {
          if (!(error instanceof TailorError) || error.code !== 'OVERLOADED') throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }
  };
  return {
    engine,
    activation,
    store,
    app,
    identify: (bodies) => ingest('identify', bodies),
    track: (bodies) => ingest('track', bodies),
    async close() {
      await app.close();
      await activation.stop();
      await engine.close();
    },
  };
}

/** Waits until `check` holds, polling every 20 ms, for at most `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
