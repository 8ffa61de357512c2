/**
 * The provider side of the activation benchmark, in a process of its own: the local WhatsApp
 * Cloud API (`startLocalWhatsApp`, which validates every body as the real API does) behind a
 * thin front on another port that notes, for every send, when it arrived (`process.hrtime`, the
 * machine's monotonic clock, which the load generator reads too), the recipient and
 * `biz_opaque_callback_data`, then forwards it and passes the answer back. In `refuse` mode the
 * front answers every other send with a Graph `429` (code 130429, `Retry-After: 1`) itself,
 * refusing any one send at most once. Control routes, for the load generator only:
 * `GET /_bench/receipts` (the receipts since the last call, and the local API's totals) and
 * `POST /_bench/mode?refuse=1|0`. Prints `listening on <url>`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text as readText } from 'node:stream/consumers';
import { startLocalWhatsApp } from '../src/activate/local/local-whatsapp.ts';

/** One send as the front saw it. */
export interface ProviderReceipt {
  /** The recipient, digits only, as sent. */
  to: string;
  /** `biz_opaque_callback_data`: the send's id. */
  data: string;
  /** When the request arrived: `process.hrtime.bigint()` in nanoseconds, as a decimal string. */
  at: string;
  /** The status answered: 200 accepted, 429 refused by the front, anything else from the local API. */
  status: number;
}

/** What `GET /_bench/receipts` answers. */
export interface ProviderReport {
  receipts: ProviderReceipt[];
  /** Messages the local API accepted since it started, and how many distinct send ids they carry. */
  accepted: number;
  distinctAccepted: number;
}

const provider = await startLocalWhatsApp({
  accessToken: process.env.BENCH_WA_TOKEN ?? 'bench-whatsapp-token',
  phoneNumberId: process.env.BENCH_WA_PHONE_ID ?? '106540352242922',
});
const target = new URL(provider.baseUrl).origin;
let receipts: ProviderReceipt[] = [];
let refuse = false;
let sendsSeen = 0;
const refusedOnce = new Set<string>();

/** The recipient and callback data of a send body; empty strings when it is not one. */
function readSend(raw: string): { to: string; data: string } {
  try {
    const body = JSON.parse(raw) as { to?: unknown; biz_opaque_callback_data?: unknown };
    return {
      to: typeof body.to === 'string' ? body.to : '',
      data: typeof body.biz_opaque_callback_data === 'string' ? body.biz_opaque_callback_data : '',
    };
  } catch {
    return { to: '', data: '' };
  }
}

function reply(response: ServerResponse, status: number, body: unknown, headers = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

function report(): ProviderReport {
  const accepted = provider.accepted();
  const distinct = new Set(accepted.map((message) => message.body.biz_opaque_callback_data ?? ''));
  const taken = receipts;
  receipts = [];
  return { receipts: taken, accepted: accepted.length, distinctAccepted: distinct.size };
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const at = process.hrtime.bigint();
  const url = new URL(request.url ?? '/', 'http://localhost');
  const raw = await readText(request);
  if (url.pathname === '/_bench/receipts') {
    reply(response, 200, report());
    return;
  }
  if (url.pathname === '/_bench/mode') {
    refuse = url.searchParams.get('refuse') === '1';
    sendsSeen = 0;
    reply(response, 200, { refuse });
    return;
  }
  const send = readSend(raw);
  sendsSeen += 1;
  if (refuse && sendsSeen % 2 === 1 && !refusedOnce.has(send.data)) {
    refusedOnce.add(send.data);
    receipts.push({ ...send, at: String(at), status: 429 });
    const error = { message: '(#130429) Rate limit hit', type: 'OAuthException', code: 130429 };
    reply(response, 429, { error }, { 'retry-after': '1' });
    return;
  }
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (request.headers.authorization !== undefined) headers['authorization'] = request.headers.authorization;
  const answer = await fetch(`${target}${url.pathname}`, { method: 'POST', headers, body: raw });
  const text = await answer.text();
  receipts.push({ ...send, at: String(at), status: answer.status });
  const retryAfter = answer.headers.get('retry-after');
  response.writeHead(answer.status, {
    'content-type': 'application/json',
    ...(retryAfter === null ? {} : { 'retry-after': retryAfter }),
  });
  response.end(text);
}

const server = createServer((request, response) => {
  handle(request, response).catch((error: unknown) => {
    if (!response.headersSent) reply(response, 500, { error: { message: String(error), code: 1 } });
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;
console.log(`listening on http://127.0.0.1:${port}`);
