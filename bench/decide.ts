/**
 * The decide benchmark: a workspace with 50 actions and 20 placements (`decideWorkspaceYaml`)
 * and `profiles` people loaded through the engine into SQLite (bench/decide-in-process.ts, which
 * also times `decideFor` in process), then `POST /v1/decide` with one placement and
 * `actions: true` for random known people (their own `anonymousId`, which a write key may
 * personalize for) against a running `tailor start` on that data, and against the bare Fastify
 * baseline's `/v1/decide`, under autocannon, rounds alternating. Every answer is checked (the
 * placement asked for and an action outcome). `/v1/decide` records the placement shown in the
 * exposure log and a `Decision Made` event in the background and has no switch to stop it, so
 * the Tailor figures include that write load; the log positions before and after each round
 * and the exposure rows at the end say how much it was. For the same decisions without it, each round also runs the admin
 * `/v1/decide/simulate` (never recorded; trace off), which differs only in the key it checks.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { seededRandom } from '../test/support/seeded-random.ts';
import type { DecideInProcessRun } from './decide-in-process.ts';
import { runScript, startProcess } from './processes.ts';
import {
  DECIDE_PLACEMENTS,
  decidePlacementKey,
  decideRequestContext,
  decideWorkspaceYaml,
} from './workload.ts';

/** One autocannon run against `/v1/decide`, with the check of every answer. */
export interface DecideHttpFigures {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Answers other than 200, and requests that got no answer (timeouts, resets). */
  non200: number;
  /** 200 answers whose body lacked the placement asked for or an action outcome. */
  wrong: number;
  checked: number;
  outcomes: Record<string, number>;
  /** Log positions taken by the server during the run (recorded decisions; 0 for the baseline). */
  logged: number;
}

/** Everything the decide benchmark measured. */
export interface DecideBenchResult {
  inProcess: DecideInProcessRun;
  /** Profiles in the store after loading. */
  storedProfiles: number;
  connections: number;
  baseline: DecideHttpFigures[];
  tailor: DecideHttpFigures[];
  /** The same decisions through the admin `/v1/decide/simulate`, which never records (trace off). */
  simulate: DecideHttpFigures[];
  /** Events the server logged from its start to its stop, by event name. */
  recorded: Record<string, number>;
  /** Rows in the exposure log after the server stopped (0 for a store without one). */
  exposures: number;
  /** Log positions before the server started and after it stopped. */
  logBefore: number;
  logAfter: number;
}

const WORKSPACE = 'bench';
const WRITE_KEY = 'wk_bench_decide';
const ADMIN_KEY = 'ak_bench_decide';
/** `/v1/decide` with the write key, and the admin simulation (never recorded, trace off). */
const CALLS = {
  decide: {
    path: '/v1/decide',
    authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
    extra: {},
  },
  simulate: {
    path: '/v1/decide/simulate',
    authorization: `Bearer ${ADMIN_KEY}`,
    extra: { trace: false },
  },
} as const;
/** Connections autocannon keeps open, as bench/http.ts does. */
const CONNECTIONS = 32;
const OUTCOMES: ReadonlySet<string> = new Set(['action', 'no_action', 'held_out']);

/** The log position of the store file, read on a connection of its own (the server may be writing). */
function logPosition(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    const row = db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM events').get() as { seq: number };
    return row.seq;
  } finally {
    db.close();
  }
}

/** Rows in the exposure log of the store file (0 when it has none). */
function exposureRows(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'exposures'").get();
    if (table === undefined) return 0;
    return (db.prepare('SELECT count(*) AS n FROM exposures').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Events logged after position `after`, counted by event name. */
function loggedByName(path: string, after: number): Record<string, number> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db
      .prepare(
        "SELECT coalesce(json_extract(body, '$.event'), json_extract(body, '$.internal'), " +
          "json_extract(body, '$.type')) AS name, count(*) AS n" +
          ' FROM events WHERE seq > ? GROUP BY name ORDER BY n DESC',
      )
      .all(after) as { name: string | null; n: number }[];
    return Object.fromEntries(rows.map((row) => [row.name ?? '(none)', row.n]));
  } finally {
    db.close();
  }
}

function storedProfiles(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    const row = db.prepare('SELECT count(*) AS n FROM profiles WHERE workspace_id = ?').get(WORKSPACE) as {
      n: number;
    };
    return row.n;
  } finally {
    db.close();
  }
}

/** One autocannon run: random known people, one placement and the next best action, every answer checked. */
export function load(input: {
  url: string;
  call: keyof typeof CALLS;
  seconds: number;
  profiles: number;
}): Promise<DecideHttpFigures> {
  const call = CALLS[input.call];
  const next = seededRandom(Math.floor(Math.random() * 1e9));
  let wrong = 0;
  let checked = 0;
  const outcomes: Record<string, number> = {};
  return new Promise((resolvePromise, reject) => {
    autocannon(
      {
        url: input.url,
        connections: CONNECTIONS,
        duration: input.seconds,
        requests: [
          {
            method: 'POST',
            path: call.path,
            headers: { 'content-type': 'application/json', authorization: call.authorization },
            setupRequest: (request, context) => {
              const placement = decidePlacementKey(Math.floor(next() * DECIDE_PLACEMENTS));
              (context as { placement?: string }).placement = placement;
              const body = {
                // A write key personalizes for the caller's own anonymous id (a userId needs its
                // identity token): each loaded person's, so the profile is read and the decision recorded.
                anonymousId: `anon-${Math.floor(next() * input.profiles)}`,
                placements: [placement],
                actions: true,
                context: decideRequestContext(next),
                ...call.extra,
              };
              return { ...request, body: JSON.stringify(body) };
            },
            onResponse: (status, body, context) => {
              if (status !== 200) return;
              checked += 1;
              const answer = JSON.parse(body) as {
                placements?: Record<string, { variant?: unknown } | undefined>;
                action?: { outcome?: unknown };
              };
              const placement = answer.placements?.[(context as { placement?: string }).placement ?? ''];
              const outcome = answer.action?.outcome;
              if (placement === undefined || !('variant' in placement) || typeof outcome !== 'string') {
                wrong += 1;
                return;
              }
              if (!OUTCOMES.has(outcome)) wrong += 1;
              outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
            },
          },
        ],
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const stats: Record<string, { count?: number } | undefined> = result.statusCodeStats ?? {};
        const ok = stats['200']?.count ?? 0;
        const answered = Object.values(stats).reduce((sum, stat) => sum + (stat?.count ?? 0), 0);
        resolvePromise({
          requestsPerSecond: result.requests.average,
          p50: result.latency.p50,
          p99: result.latency.p99,
          non200: answered - ok + result.errors + result.timeouts,
          wrong,
          checked,
          outcomes,
          logged: 0,
        });
      },
    );
  });
}

/**
 * Loads the profiles and times `decideFor` in a child process, then starts the bare baseline and
 * `tailor start` on the loaded data, warms both up (`seconds / 3` per endpoint, not counted) and
 * runs `rounds` rounds of `seconds` each: baseline, `/v1/decide`, `/v1/decide/simulate`. With
 * `learn`, every action and placement of the workspace learns (`decideWorkspaceYaml`).
 */
export async function decideBench(input: {
  profiles: number;
  rounds: number;
  seconds: number;
  inProcessCalls: number;
  learn?: boolean;
}): Promise<DecideBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tailor-bench-decide-'));
  const config = join(dir, 'tailor.yaml');
  const dataDir = join(dir, 'data');
  const database = join(dataDir, 'tailor.db');
  const now = Date.now();
  writeFileSync(config, decideWorkspaceYaml({ id: WORKSPACE, now, learn: input.learn === true }));
  try {
    const inProcess = await runScript<DecideInProcessRun>('bench/decide-in-process.ts', {
      env: {
        BENCH_DECIDE_DIR: dir,
        BENCH_DECIDE_PROFILES: String(input.profiles),
        BENCH_DECIDE_ROUNDS: String(input.rounds),
        BENCH_DECIDE_CALLS: String(input.inProcessCalls),
        BENCH_DECIDE_NOW: String(now),
      },
    });
    const logBefore = logPosition(database);
    const profiles = storedProfiles(database);
    const bare = await startProcess({
      args: ['--import', 'tsx', 'bench/bare-server.ts'],
      ready: /listening on (\S+)/,
    });
    const baseline: DecideHttpFigures[] = [];
    const tailor: DecideHttpFigures[] = [];
    const simulate: DecideHttpFigures[] = [];
    try {
      process.stderr.write('decide: starting tailor on the loaded data\n');
      const server = await startProcess({
        args: ['bin/tailor.js', 'start', '--port', '0', '--data-dir', dataDir, '--config', config],
        env: { TAILOR_WRITE_KEY: WRITE_KEY, TAILOR_ADMIN_KEY: ADMIN_KEY, TAILOR_LOG_LEVEL: 'warn' },
        ready: /Tailor is running on (http:\/\/\S+)/,
      });
      try {
        const warmUp = Math.max(1, Math.round(input.seconds / 3));
        process.stderr.write(`decide: warming up both servers (${warmUp} s each)\n`);
        const run = (url: string, call: keyof typeof CALLS, seconds: number): Promise<DecideHttpFigures> =>
          load({ url, call, seconds, profiles: input.profiles });
        await run(bare.url, 'decide', warmUp);
        await run(server.url, 'decide', warmUp);
        await run(server.url, 'simulate', warmUp);
        for (let round = 0; round < input.rounds; round += 1) {
          process.stderr.write(`decide: HTTP round ${round + 1}/${input.rounds}\n`);
          baseline.push(await run(bare.url, 'decide', input.seconds));
          let before = logPosition(database);
          const decided = await run(server.url, 'decide', input.seconds);
          tailor.push({ ...decided, logged: logPosition(database) - before });
          before = logPosition(database);
          const simulated = await run(server.url, 'simulate', input.seconds);
          simulate.push({ ...simulated, logged: logPosition(database) - before });
        }
      } finally {
        await server.stop();
      }
    } finally {
      await bare.stop();
    }
    return {
      inProcess,
      storedProfiles: profiles,
      connections: CONNECTIONS,
      baseline,
      tailor,
      simulate,
      recorded: loggedByName(database, logBefore),
      exposures: exposureRows(database),
      logBefore,
      logAfter: logPosition(database),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
