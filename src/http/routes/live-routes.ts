import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.ts';
import { adminWorkspace } from '../admin-auth.ts';
import type { KeyRing } from '../key-ring.ts';
import type { LiveEntry } from '../live-entry.ts';
import type { LiveEvents } from '../live-events.ts';

/** A comment line sent this often keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/**
 * The live feed as server-sent events (`text/event-stream`): each event the tracking API takes in
 * for the admin key's workspace (`event: accepted`) and each one it refuses with the reason
 * (`event: refused`), from the moment the stream opens. A listener whose socket is full skips
 * entries (announced by `event: dropped` once it drains) rather than holding them.
 */
export async function liveRoutes(
  app: FastifyInstance,
  options: { engine: Engine; keys: KeyRing; live: LiveEvents },
): Promise<void> {
  const { engine, keys, live } = options;
  // Open streams never go idle, so closing the server ends them first, or it would wait on them.
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });
  app.get(
    '/v1/events/live',
    {
      schema: {
        tags: ['console'],
        summary: 'Events as they arrive, and the ones refused with why (server-sent events)',
        description:
          'A `text/event-stream`: `event: accepted` and `event: refused` with a JSON `data` line each, ' +
          '`event: dropped` with the count skipped while the reader was behind.',
        security: [{ adminKey: [] }],
        produces: ['text/event-stream'],
      },
    },
    async (request, reply) => {
      const workspaceId = await adminWorkspace(request, keys, engine.clock());
      reply.hijack();
      const socket = reply.raw;
      socket.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
      });
      socket.write(': live\n\n');
      let behind = false;
      let dropped = 0;
      socket.on('drain', () => {
        behind = false;
        if (dropped > 0) socket.write(`event: dropped\ndata: ${dropped}\n\n`);
        dropped = 0;
      });
      const stop = live.listen(workspaceId, (entries: readonly LiveEntry[]) => {
        if (behind) {
          dropped += entries.length;
          return;
        }
        let text = '';
        for (const entry of entries) text += `event: ${entry.kind}\ndata: ${JSON.stringify(entry)}\n\n`;
        behind = !socket.write(text);
      });
      const heartbeat = setInterval(() => socket.write(': ping\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      const close = () => {
        clearInterval(heartbeat);
        stop();
        open.delete(end);
      };
      const end = () => {
        close();
        socket.end();
      };
      open.add(end);
      socket.on('close', close);
      socket.on('error', close);
      request.raw.on('close', close);
    },
  );
}
