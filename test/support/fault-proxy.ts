import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';

/** A canned answer the proxy gives instead of forwarding. */
export interface ProxyFault {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A proxy in front of a local provider that fails requests by a rule. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give it to Tailor in place of the provider's origin. */
  url: string;
  /** Requests received so far (forwarded or not). */
  requests(): number;
  /** Replaces the rule: request `n` (from 1) gets the fault returned, or is forwarded when undefined. */
  setRule(rule: (n: number) => ProxyFault | undefined): void;
  close(): Promise<void>;
}

/**
 * Starts an HTTP proxy on a free local port that forwards each request (method, path, headers,
 * body) to `target` and relays the answer, unless `rule(n)` gives a fault for the n-th request:
 * then the provider never sees it. Lets a test make a provider answer 429 on every other
 * request, or 500 until told otherwise, without changing the provider.
 */
export async function startFaultProxy(input: {
  target: string;
  rule: (n: number) => ProxyFault | undefined;
}): Promise<FaultProxy> {
  let rule = input.rule;
  let count = 0;
  const server = createServer((request, response) => {
    count += 1;
    const n = count;
    buffer(request)
      .then(async (body) => {
        const fault = rule(n);
        if (fault !== undefined) {
          response.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
          response.end(JSON.stringify(fault.body));
          return;
        }
        const headers = new Headers();
        for (const [name, value] of Object.entries(request.headers))
          if (typeof value === 'string' && name !== 'host' && name !== 'content-length')
            headers.set(name, value);
        const answer = await fetch(new URL(request.url ?? '/', input.target), {
          method: request.method ?? 'GET',
          headers,
          ...(body.length === 0 ? {} : { body }),
        });
        const text = await answer.text();
        response.writeHead(answer.status, {
          'content-type': answer.headers.get('content-type') ?? 'application/json',
        });
        response.end(text);
      })
      .catch(() => {
        if (!response.headersSent) response.writeHead(502);
        response.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    setRule(next) {
      rule = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
