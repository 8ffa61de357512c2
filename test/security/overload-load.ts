import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

/** What one bounded overload run saw, from the clients' side and the server's RSS. */
export interface OverloadFigures {
  requests: number;
  /** Answers by HTTP status. */
  statuses: Record<number, number>;
  /** 429 answers that carried a `Retry-After` header. */
  retryAfter: number;
  /** Requests that got no answer (socket error or timeout). */
  failed: number;
  /** The message ids of every event a 200 answered as accepted. */
  acceptedIds: string[];
  p50Ms: number;
  p99Ms: number;
  /** `/health` probes, their median and slowest answer (ms); a probe with no answer counts as its timeout. */
  healthProbes: number;
  healthMedianMs: number;
  healthMaxMs: number;
  healthFailed: number;
  /** Highest resident set size of the server process seen (MiB), when its pid was given. */
  rssPeakMiB: number;
}

const EVENT_PADDING = 'x'.repeat(180);

/**
 * A batch body of about `bytes` bytes whose event ids are `<prefix>-<i>`: one template is built
 * per size and the prefix substituted, so the load generator spends little CPU per request.
 */
export function batchBody(prefix: string, bytes: number): { body: string; ids: string[] } {
  const template = templates.get(bytes) ?? buildTemplate(bytes);
  templates.set(bytes, template);
  return {
    body: template.body.replaceAll(PREFIX, prefix),
    ids: Array.from({ length: template.count }, (_, i) => `${prefix}-${i}`),
  };
}

const PREFIX = '@@';
const templates = new Map<number, { body: string; count: number }>();

function buildTemplate(bytes: number): { body: string; count: number } {
  const events: string[] = [];
  let size = 12;
  for (let i = 0; size < bytes - 400; i += 1) {
    const event = JSON.stringify({
      type: 'track',
      messageId: `${PREFIX}-${i}`,
      userId: `u${i % 500}`,
      event: 'Product Viewed',
      properties: { sku: `sku-${i % 97}`, note: EVENT_PADDING },
    });
    events.push(event);
    size += event.length + 1;
  }
  return { body: `{"batch":[${events.join(',')}]}`, count: events.length };
}

function rssMiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? 0 : Number(match[1]) / 1024;
  } catch {
    return 0;
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

/**
 * Drives a bounded overload: `connections` clients each POST `/v1/batch` bodies of
 * `batchBytes` back to back for `seconds` (at most `maxRequests` in all), while `/health` is
 * probed every 100 ms (from a child process) and the server's RSS sampled every 50 ms. Plain `node:http`, so the
 * client costs little CPU next to the server on a small machine.
 */
export async function runOverload(input: {
  url: string;
  writeKey: string;
  connections: number;
  seconds: number;
  batchBytes: number;
  maxRequests: number;
  pid?: number;
  requestTimeoutMs?: number;
}): Promise<OverloadFigures> {
  const target = new URL(input.url);
  const agent = new Agent({ keepAlive: true, maxSockets: input.connections });
  const auth = `Basic ${Buffer.from(`${input.writeKey}:`).toString('base64')}`;
  const figures: OverloadFigures = {
    requests: 0,
    statuses: {},
    retryAfter: 0,
    failed: 0,
    acceptedIds: [],
    p50Ms: 0,
    p99Ms: 0,
    healthProbes: 0,
    healthMedianMs: 0,
    healthMaxMs: 0,
    healthFailed: 0,
    rssPeakMiB: 0,
  };
  const latencies: number[] = [];
  const deadline = Date.now() + input.seconds * 1000;
  let sent = 0;

  const post = (body: string): Promise<{ status: number; retryAfter: boolean; text: string } | undefined> =>
    new Promise((resolvePromise) => {
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: '/v1/batch',
          method: 'POST',
          agent,
          timeout: input.requestTimeoutMs ?? 30_000,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: auth,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolvePromise({
              status: res.statusCode ?? 0,
              retryAfter: res.headers['retry-after'] !== undefined,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', () => resolvePromise(undefined));
        },
      );
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolvePromise(undefined));
      req.end(body);
    });

  const client = async (n: number): Promise<void> => {
    for (let round = 0; Date.now() < deadline && sent < input.maxRequests; round += 1) {
      sent += 1;
      const { body, ids } = batchBody(`ovl-${n}-${round}`, input.batchBytes);
      const started = performance.now();
      const answer = await post(body);
      latencies.push(performance.now() - started);
      figures.requests += 1;
      if (answer === undefined) {
        figures.failed += 1;
        continue;
      }
      figures.statuses[answer.status] = (figures.statuses[answer.status] ?? 0) + 1;
      if (answer.status === 429 && answer.retryAfter) figures.retryAfter += 1;
      if (answer.status === 200) figures.acceptedIds.push(...ids);
    }
  };

  const prober = probeHealth({ url: input.url, seconds: input.seconds });
  const sampler =
    input.pid === undefined
      ? undefined
      : setInterval(() => {
          figures.rssPeakMiB = Math.max(figures.rssPeakMiB, rssMiB(input.pid ?? 0));
        }, 50);

  await Promise.all(Array.from({ length: input.connections }, (_, n) => client(n)));
  const health = await prober;
  figures.healthProbes = health.probes;
  figures.healthMaxMs = health.maxMs;
  figures.healthMedianMs = percentile(
    health.times.sort((a, b) => a - b),
    50,
  );
  figures.healthFailed = health.failed;
  if (sampler !== undefined) clearInterval(sampler);
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  figures.p50Ms = percentile(sorted, 50);
  figures.p99Ms = percentile(sorted, 99);
  return figures;
}

/**
 * Probes `GET /health` every 100 ms for `seconds` from a child process of its own, so the
 * figure is the server's answer time and not the load generator's own event-loop delay.
 */
function probeHealth(input: {
  url: string;
  seconds: number;
}): Promise<{ probes: number; maxMs: number; failed: number; times: number[] }> {
  const script = `
    const http = require('node:http');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const end = Date.now() + ${input.seconds * 1000};
    const out = { probes: 0, maxMs: 0, failed: 0, times: [] };
    const probe = () => new Promise((done) => {
      const started = performance.now();
      const req = http.get(${JSON.stringify(`${input.url}/health`)}, { agent, timeout: 5000 }, (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode === 200 ? performance.now() - started : undefined));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => done(undefined));
    });
    (async () => {
      while (Date.now() < end) {
        const started = performance.now();
        const ms = await probe();
        out.probes += 1;
        if (ms === undefined) out.failed += 1;
        out.maxMs = Math.max(out.maxMs, ms ?? performance.now() - started);
        out.times.push(ms ?? performance.now() - started);
        await new Promise((r) => setTimeout(r, 100));
      }
      agent.destroy();
      process.stdout.write(JSON.stringify(out));
    })();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolvePromise, reject) => {
    child.once('exit', () => {
      try {
        resolvePromise(JSON.parse(output));
      } catch (error) {
        reject(error);
      }
    });
  });
}
