import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** How a local provider server should answer the next send. */
export type ProviderFault =
  | { kind: 'server-error' }
  | { kind: 'rate-limited'; retryAfterSeconds: number }
  | { kind: 'invalid-recipient' };

/**
 * A local server speaking one provider's exact wire format, for tests and the demo (a stand-in
 * for a provider Tailor cannot reach): it records every request it accepted and can be told to
 * fail the next one.
 */
export interface LocalProvider {
  /** Messages it accepted, in order: the recipient and the text it carried (as the provider read them). */
  accepted(): { to: string; text: string; idempotencyKey?: string }[];
  /** Makes the next send fail this way (once). */
  failNext(fault: ProviderFault): void;
  close(): Promise<void>;
}

/** A local server listening on 127.0.0.1: its port, and how to stop it (open connections too). */
export interface LocalServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `handle` on 127.0.0.1 and `port` (a free one unless given), answering 500 to a request
 * it throws on: the plumbing every local provider shares.
 */
export async function serveLocally(
  handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
  port = 0,
): Promise<LocalServer> {
  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
