import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text as readText } from 'node:stream/consumers';

/** One request a capture server heard. */
export interface CapturedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A local HTTP server that records every request: what an attacker's endpoint would see. */
export interface CaptureServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: CapturedRequest[];
  close(): Promise<void>;
}

/**
 * Starts a capture server on 127.0.0.1, port 0. Each request is recorded, then answered with
 * `redirectTo` as a 307 when given, else 200 `{ "id": "captured", "sid": "SMcaptured", "messages": [{ "id": "wamid.captured" }] }`.
 */
export async function startCaptureServer(input: { redirectTo?: string } = {}): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  const server = createServer((request, response) => {
    void readText(request).then((body) => {
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      if (input.redirectTo !== undefined) {
        response.writeHead(307, { location: `${input.redirectTo}${request.url ?? ''}` });
        response.end();
        return;
      }
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ id: 'captured', sid: 'SMcaptured', messages: [{ id: 'wamid.captured' }] }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
