import type { AddressInfo } from 'node:net';
import { createServer, type Server, Socket } from 'node:net';

/** A TCP proxy in front of a server that can play an outage: connections cut, new ones refused. */
export interface TcpOutageProxy {
  /** The local port that forwards to the target while it is up. */
  port: number;
  /** Cuts every open connection and stops listening: connecting now fails with ECONNREFUSED. */
  cut(): Promise<void>;
  /** Listens again on the same port: the target is reachable once more. */
  restore(): Promise<void>;
  /**
   * A network partition: connections stay open but nothing crosses them, either way, and no
   * reset comes — what a peer that vanished looks like. New connections hang too.
   */
  freeze(): void;
  /** Ends the partition: the frozen connections are reset (their streams lost bytes), new ones work. */
  thaw(): void;
  close(): Promise<void>;
}

/**
 * Starts a proxy on a free local port forwarding each connection to `target`. Lets a test take a
 * database away — as a restart or failover does, but for as long as the test wants — without
 * stopping a server that other tests share.
 */
export async function startTcpOutageProxy(target: { host: string; port: number }): Promise<TcpOutageProxy> {
  const sockets = new Set<Socket>();
  let frozen = false;
  const server: Server = createServer((inbound) => {
    const outbound = new Socket();
    sockets.add(inbound);
    sockets.add(outbound);
    const end = () => {
      inbound.destroy();
      outbound.destroy();
      sockets.delete(inbound);
      sockets.delete(outbound);
    };
    inbound.on('error', end).on('close', end);
    outbound.on('error', end).on('close', end);
    outbound.connect(target.port, target.host, () => {
      inbound.on('data', (chunk) => {
        if (!frozen) outbound.write(chunk);
      });
      outbound.on('data', (chunk) => {
        if (!frozen) inbound.write(chunk);
      });
    });
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP address');
  const { port } = address satisfies AddressInfo;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    });
  return {
    port,
    cut: stop,
    restore: () => listen(port),
    freeze: () => {
      frozen = true;
    },
    thaw: () => {
      frozen = false;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    close: async () => {
      if (server.listening) await stop();
    },
  };
}
