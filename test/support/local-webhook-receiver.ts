import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text as readText } from 'node:stream/consumers';
import { verifyWebhookSignature } from '../../src/activate/webhook/webhook-signature.ts';
import type { Clock } from '../../src/clock.ts';
import { isJsonObject } from '../../src/ingest/merge-objects.ts';
import type { LocalProvider, ProviderFault } from '../activate/channel-contract.ts';

/** One request the receiver got, with what it made of it. */
export interface WebhookDelivery {
  headers: Record<string, string>;
  /** The raw body, as signed. */
  body: string;
  /** Whether the signature and timestamp verified. */
  verified: boolean;
  /** The HTTP status it answered. */
  status: number;
}

/** A local receiver of Tailor's signed webhooks (`node:http`, port 0). */
export interface LocalWebhookReceiver extends LocalProvider {
  /** The URL to give the adapter. */
  url: string;
  /** Every request received, accepted or not, in order. */
  deliveries(): WebhookDelivery[];
}

/**
 * Starts a receiver that does what the docs ask of one: verifies `X-Tailor-Signature` and the
 * timestamp against `secret` (401 when wrong), answers a repeated `Idempotency-Key` with the
 * first answer without recording it again, and otherwise records the message and answers 200
 * `{ id }`. Faults: server-error → 500, rate-limited → 429 with `Retry-After`,
 * invalid-recipient → 410 Gone.
 */
export async function startLocalWebhookReceiver(input: {
  secret: string;
  now?: Clock;
}): Promise<LocalWebhookReceiver> {
  const now = input.now ?? (() => Date.now());
  const accepted: { to: string; text: string; idempotencyKey?: string }[] = [];
  const receipts = new Map<string, string>();
  const deliveries: WebhookDelivery[] = [];
  const faults: ProviderFault[] = [];
  let closed = false;
  let counter = 0;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await readText(request);
    const headers = flatHeaders(request);
    const verified = verifyWebhookSignature({
      body,
      timestamp: headers['x-tailor-timestamp'],
      signature: headers['x-tailor-signature'],
      secret: input.secret,
      now: now(),
    });
    const reply = (status: number, answer: unknown, extra: Record<string, string> = {}): void => {
      deliveries.push({ headers, body, verified, status });
      response.writeHead(status, { 'content-type': 'application/json', ...extra });
      response.end(JSON.stringify(answer));
    };
    if (!verified) {
      reply(401, { error: 'invalid signature' });
      return;
    }
    const fault = faults.shift();
    if (fault?.kind === 'server-error') return reply(500, { error: 'receiver failed' });
    if (fault?.kind === 'rate-limited') {
      return reply(429, { error: 'slow down' }, { 'retry-after': String(fault.retryAfterSeconds) });
    }
    if (fault?.kind === 'invalid-recipient') return reply(410, { error: 'no such subject' });
    const key = headers['idempotency-key'];
    const previous = key === undefined ? undefined : receipts.get(key);
    if (previous !== undefined) return reply(200, { id: previous, duplicate: true });
    const payload: unknown = JSON.parse(body);
    const { to, content } = readPayload(payload);
    const id = `rcv-${++counter}`;
    if (key !== undefined) receipts.set(key, id);
    const text = typeof content['text'] === 'string' ? content['text'] : JSON.stringify(content);
    accepted.push(key === undefined ? { to, text } : { to, text, idempotencyKey: key });
    reply(200, { id });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: 'unreadable body' }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/hooks/tailor`,
    accepted: () => accepted.map((entry) => ({ ...entry })),
    deliveries: () => deliveries.map((delivery) => ({ ...delivery })),
    failNext: (fault) => {
      faults.push(fault);
    },
    async close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readPayload(payload: unknown): { to: string; content: Record<string, unknown> } {
  const to = isJsonObject(payload) ? payload['to'] : undefined;
  const content = isJsonObject(payload) ? payload['content'] : undefined;
  if (typeof to !== 'string' || !isJsonObject(content)) throw new Error('not a Tailor webhook payload');
  return { to, content };
}

function flatHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers[name] = value;
    else if (Array.isArray(value)) headers[name] = value.join(', ');
  }
  return headers;
}
