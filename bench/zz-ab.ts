import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { workload } from './workload.ts';
const AUTH = `Basic ${Buffer.from('wk_ab:').toString('base64')}`;
async function server(root: string, port: number) {
  const dir = mkdtempSync(join(tmpdir(), 'ab-'));
  const child = spawn(process.execPath, [join(root, 'dist/cli/main.js'), 'start', '--port', String(port), '--data-dir', dir], { env: { ...process.env, TAILOR_LOG_LEVEL: 'warn', TAILOR_WRITE_KEY: 'wk_ab' }, stdio: 'ignore' });
  for (let i = 0; i < 100; i++) { try { await fetch(`http://127.0.0.1:${port}/health`); break; } catch { await new Promise((r) => setTimeout(r, 200)); } }
  return child;
}
function load(port: number, per: number, seconds: number): Promise<{ rps: number; p99: number }> {
  const next = workload({ people: 100_000, seed: Math.floor(Math.random() * 1e9) });
  const body = per === 1 ? () => JSON.stringify({ ...next(), type: undefined, event: 'Product Viewed' }) : () => JSON.stringify({ batch: Array.from({ length: per }, next) });
  return new Promise((res, rej) => autocannon({ url: `http://127.0.0.1:${port}`, connections: 32, duration: seconds, requests: [{ method: 'POST', path: per === 1 ? '/v1/track' : '/v1/batch', headers: { 'content-type': 'application/json', authorization: AUTH }, setupRequest: (r: any) => ({ ...r, body: body() }) }] }, (e: any, r: any) => e ? rej(e) : res({ rps: r.requests.average * per, p99: r.latency.p99 })));
}
const roots: Record<string, string> = { base: '/work/wt/base', new: '/work/main' };
const per = Number(process.env.PER ?? 1);
const out: Record<string, { rps: number; p99: number }[]> = { base: [], new: [] };
for (let round = 0; round < Number(process.env.ROUNDS ?? 3); round++) {
  for (const name of round % 2 ? ['new', 'base'] : ['base', 'new']) {
    const port = 4900 + round * 2 + (name === 'new' ? 1 : 0);
    const child = await server(roots[name]!, port);
    await load(port, per, 2);
    out[name]!.push(await load(port, per, Number(process.env.SECS ?? 8)));
    child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r));
  }
}
const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const name of ['base', 'new']) console.log(name, 'events/s', out[name]!.map((r) => Math.round(r.rps)).join(' '), 'median', Math.round(med(out[name]!.map((r) => r.rps))!), 'p99', med(out[name]!.map((r) => r.p99)));
