import { join, resolve } from 'node:path';
import {
  LOOPBACK_HOSTS,
  type NetworkPolicy,
  networkPolicy,
  parseAllowHttpHosts,
} from '../activate/outbound/network-policy.ts';
import { DEFAULT_CACHE_MB } from '../engine/cache-budget.ts';
import { DEFAULT_ADMISSION } from '../http/admission.ts';

/** Everything a deployer sets, from flags or `TAILOR_*` environment variables. */
export interface Settings {
  host: string;
  port: number;
  dataDir: string;
  /** `sqlite:<path>` (default, under the data dir) or a `postgres://` URL. */
  storeUrl: string;
  /** Workspace file to load at start (the demo workspace by default). */
  configFile: string;
  writeKey?: string;
  adminKey?: string;
  /** The key that creates workspaces (`TAILOR_OPERATOR_KEY`); generated and saved in the data dir when unset. */
  operatorKey?: string;
  logLevel: string;
  checkpointIntervalMs: number;
  /** Memory for cached profiles and identifier index entries, in MiB (`TAILOR_CACHE_MB`). */
  cacheMb: number;
  maxPendingEvents: number;
  /** Body bytes of tracking and decide requests taken in at once; past it they get 429 before being read. */
  maxInflightBytes: number;
  /** A client event waiting this long for the disk is refused with 429; new requests from half of it (ms). */
  maxQueueMs: number;
  /** Tailor's URL as providers and browsers reach it, when a proxy stands in front (Twilio signs it). */
  publicUrl?: string;
  /** How long a send in doubt after a restart waits for its provider's confirming callback (ms). */
  sendReconcileMs?: number;
  /**
   * Provider hosts that may be reached over http: and at private addresses
   * (`TAILOR_ALLOW_HTTP_HOSTS`); none unless set, but the demo workspace's loopback servers when
   * the demo workspace is loaded.
   */
  network: NetworkPolicy;
}

/** Flags given on the command line; each overrides its environment variable. */
export interface SettingFlags {
  host?: string;
  port?: string;
  dataDir?: string;
  store?: string;
  config?: string;
}

/** The demo workspace shipped with Tailor, loaded when no `--config` is given. */
export const DEMO_WORKSPACE_FILE = resolve(import.meta.dirname, '../../examples/demo/tailor.yaml');

/**
 * The network policy the demo workspace runs under: its providers are the local WhatsApp and
 * Twilio servers `tailor demo` starts on this machine.
 */
export const DEMO_NETWORK_POLICY: NetworkPolicy = networkPolicy(LOOPBACK_HOSTS);

/**
 * The network policy a Tailor started with `configFile` runs under: `TAILOR_ALLOW_HTTP_HOSTS`
 * when set, else the demo's loopback servers for the demo workspace, else none.
 */
export function networkPolicyFor(configFile: string, env: NodeJS.ProcessEnv): NetworkPolicy {
  if (env.TAILOR_ALLOW_HTTP_HOSTS !== undefined) return parseAllowHttpHosts(env.TAILOR_ALLOW_HTTP_HOSTS);
  return resolve(configFile) === DEMO_WORKSPACE_FILE ? DEMO_NETWORK_POLICY : networkPolicy([]);
}

function integer(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got "${text}"`);
  return value;
}

/** Reads settings: flags first, then `TAILOR_*` variables, then defaults. */
export function readSettings(flags: SettingFlags, env: NodeJS.ProcessEnv = process.env): Settings {
  const dataDir = resolve(flags.dataDir ?? env.TAILOR_DATA_DIR ?? './data');
  const port = integer('--port / TAILOR_PORT', flags.port ?? env.TAILOR_PORT, 3000);
  const configFile = resolve(flags.config ?? env.TAILOR_CONFIG ?? DEMO_WORKSPACE_FILE);
  const settings: Settings = {
    host: flags.host ?? env.TAILOR_HOST ?? '127.0.0.1',
    port,
    dataDir,
    storeUrl: flags.store ?? env.TAILOR_STORE ?? `sqlite:${join(dataDir, 'tailor.db')}`,
    configFile,
    logLevel: env.TAILOR_LOG_LEVEL ?? 'info',
    checkpointIntervalMs: integer('TAILOR_CHECKPOINT_MS', env.TAILOR_CHECKPOINT_MS, 1_000),
    cacheMb: integer('TAILOR_CACHE_MB', env.TAILOR_CACHE_MB, DEFAULT_CACHE_MB),
    maxPendingEvents: integer('TAILOR_MAX_PENDING_EVENTS', env.TAILOR_MAX_PENDING_EVENTS, 100_000),
    network: networkPolicyFor(configFile, env),
    maxInflightBytes: integer(
      'TAILOR_MAX_INFLIGHT_BYTES',
      env.TAILOR_MAX_INFLIGHT_BYTES,
      DEFAULT_ADMISSION.maxInflightBytes,
    ),
    maxQueueMs: integer('TAILOR_MAX_QUEUE_MS', env.TAILOR_MAX_QUEUE_MS, DEFAULT_ADMISSION.maxQueueMs),
  };
  if (env.TAILOR_WRITE_KEY) settings.writeKey = env.TAILOR_WRITE_KEY;
  if (env.TAILOR_ADMIN_KEY) settings.adminKey = env.TAILOR_ADMIN_KEY;
  if (env.TAILOR_OPERATOR_KEY) settings.operatorKey = env.TAILOR_OPERATOR_KEY;
  if (env.TAILOR_PUBLIC_URL) settings.publicUrl = env.TAILOR_PUBLIC_URL.replace(/\/+$/, '');
  if (env.TAILOR_SEND_RECONCILE_MS)
    settings.sendReconcileMs = integer('TAILOR_SEND_RECONCILE_MS', env.TAILOR_SEND_RECONCILE_MS, 0);
  return settings;
}
