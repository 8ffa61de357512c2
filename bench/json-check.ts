/**
 * What the edge's JSON check (depth 64, no NUL or unpaired surrogate) costs per request: a
 * 500 KB batch of ordinary events, the same with astral text everywhere (the slow path), and
 * the deepest array a 500 KB body can hold. Prints the median of repeated runs, next to
 * JSON.parse of the same body for scale. Run: `npx tsx bench/json-check.ts`.
 */
import { findJsonProblem } from '../src/ingest/find-json-problem.ts';

function median(runs: number, work: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}

function batchText(text: string): string {
  const batch = [];
  let bytes = 0;
  for (let i = 0; bytes < 495_000; i += 1) {
    const event = {
      type: 'track',
      userId: `user-${i}`,
      event: 'Order Completed',
      messageId: `m-${i}`,
      properties: { revenue: i, currency: 'INR', note: text, items: [{ sku: 'a', qty: 1 }] },
      context: { page: { url: 'https://shop.example.com/checkout' }, locale: 'en-IN' },
    };
    bytes += Buffer.byteLength(JSON.stringify(event)) + 1;
    batch.push(event);
  }
  return JSON.stringify({ batch });
}

const half = 255_000;
const cases: [string, string][] = [
  ['a full batch, ASCII text', batchText('plain ascii text')],
  ['a full batch, astral text', batchText('𝔐𝔞𝔩𝔩𝔬𝔯𝔶 🦊 😀')],
  ['250,000 nested arrays', `${'['.repeat(half)}${']'.repeat(half)}`],
];
for (const [, text] of cases) median(5, () => findJsonProblem({ value: JSON.parse(text) }));
for (const [name, text] of cases) {
  const value: unknown = JSON.parse(text);
  const check = median(31, () => findJsonProblem({ value }));
  const parse = median(31, () => JSON.parse(text));
  const kb = Math.round(Buffer.byteLength(text) / 1024);
  console.log(`${name} (${kb} KB): check ${check.toFixed(2)} ms, JSON.parse ${parse.toFixed(2)} ms`);
}
