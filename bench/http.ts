/**
 * HTTP ingest against a bare Fastify baseline, in the same run: single `/v1/track` calls and
 * `/v1/batch` with 100 events, each driven by autocannon with fresh events per request.
 * Rounds alternate baseline and Tailor so drift on the machine hits both alike.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { type Running, startProcess } from './processes.ts';
import { benchWorkspaceYaml, workload } from './workload.ts';

/** One autocannon run. */
export interface HttpFigures {
  requestsPerSecond: number;
  eventsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

const WRITE_KEY = 'wk_bench_http';
const AUTH = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;

function load(input: {
  url: string;
  path: string;
  eventsPerRequest: number;
  seconds: number;
}): Promise<HttpFigures> {
  const next = workload({ people: 100_000, seed: Math.floor(Math.random() * 1e9) });
  const body =
    input.eventsPerRequest === 1
      ? () => JSON.stringify({ ...next(), type: undefined, event: 'Product Viewed' })
      : () => JSON.stringify({ batch: Array.from({ length: input.eventsPerRequest }, next) });
  return new Promise((resolvePromise, reject) => {
    autocannon(
      {
        url: input.url,
        connections: 32,
        duration: input.seconds,
        requests: [
          {
            method: 'POST',
            path: input.path,
            headers: { 'content-type': 'application/json', authorization: AUTH },
            setupRequest: (request) => ({ ...request, body: body() }),
          },
        ],
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        resolvePromise({
          requestsPerSecond: result.requests.average,
          eventsPerSecond: result.requests.average * input.eventsPerRequest,
          p50: result.latency.p50,
          p99: result.latency.p99,
          errors: result.errors + result.non2xx,
        });
      },
    );
  });
}

/** Starts both servers, runs `rounds` alternating rounds per endpoint and returns every run. */
export async function httpBench(input: {
  seconds: number;
  rounds: number;
}): Promise<Record<'track' | 'batch', { baseline: HttpFigures[]; tailor: HttpFigures[] }>> {
  const dir = mkdtempSync(join(tmpdir(), 'tailor-bench-http-'));
  const config = join(dir, 'tailor.yaml');
  writeFileSync(config, benchWorkspaceYaml('bench'));
  const servers: Running[] = [];
  try {
    const bare = await startProcess({
      args: ['--import', 'tsx', 'bench/bare-server.ts'],
      ready: /listening on (\S+)/,
    });
    servers.push(bare);
    const tailor = await startProcess({
      args: ['bin/tailor.js', 'start', '--port', '0', '--data-dir', join(dir, 'data'), '--config', config],
      env: { TAILOR_WRITE_KEY: WRITE_KEY, TAILOR_LOG_LEVEL: 'warn' },
      ready: /Tailor is running on (http:\/\/\S+)/,
    });
    servers.push(tailor);
    const figures = { track: { baseline: [], tailor: [] }, batch: { baseline: [], tailor: [] } } as Record<
      'track' | 'batch',
      { baseline: HttpFigures[]; tailor: HttpFigures[] }
    >;
    const endpoints = [
      ['track', '/v1/track', 1],
      ['batch', '/v1/batch', 100],
    ] as const;
    for (let round = 0; round < input.rounds; round += 1) {
      for (const [name, path, eventsPerRequest] of endpoints) {
        process.stderr.write(`http: round ${round + 1}/${input.rounds} ${path}\n`);
        figures[name].baseline.push(
          await load({ url: bare.url, path, eventsPerRequest, seconds: input.seconds }),
        );
        figures[name].tailor.push(
          await load({ url: tailor.url, path, eventsPerRequest, seconds: input.seconds }),
        );
      }
    }
    return figures;
  } finally {
    for (const server of servers) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
