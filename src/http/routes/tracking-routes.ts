import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.ts';
import { TailorError } from '../../errors.ts';
import { decodeSizedBody } from '../../ingest/decode-body.ts';
import { REQUEST_MAX_BYTES } from '../../ingest/ingest-limits.ts';
import { bodyWriteKey, normalizeCallYielding } from '../../ingest/normalize-call.ts';
import { CALL_PATHS } from '../../ingest/route-calls.ts';
import type { TailorMetrics } from '../../metrics/tailor-metrics.ts';
import { basicAuthKey } from '../credentials.ts';
import type { KeyRing } from '../key-ring.ts';
import type { LiveEvents } from '../live-events.ts';
import { BatchRejectedSchema, TrackingReplySchema } from '../schemas.ts';

/**
 * The Segment HTTP Tracking API: `/v1/identify`, `/v1/track`, … `/v1/batch`, `/v1/import`
 * and the browser short forms. Bodies are read raw and parsed as JSON whatever their
 * Content-Type (browsers send text/plain), gzip accepted. A 200 means every accepted event is
 * in the event log on disk.
 */
export async function trackingRoutes(
  app: FastifyInstance,
  options: { engine: Engine; keys: KeyRing; live?: LiveEvents; metrics?: TailorMetrics },
): Promise<void> {
  const { engine, keys } = options;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: REQUEST_MAX_BYTES },
    (_request, body, done) => {
      done(null, body);
    },
  );

  for (const [path, call] of Object.entries(CALL_PATHS)) {
    app.post(
      `/v1/${path}`,
      {
        schema: {
          tags: ['tracking'],
          summary: call === 'batch' ? 'Send a batch of events' : `Send a ${call} call`,
          security: [{ writeKey: [] }],
          response: { 200: TrackingReplySchema, 400: BatchRejectedSchema },
        },
      },
      async (request, reply) => {
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const encoding = request.headers['content-encoding'];
        const { body, bytes } = decodeSizedBody({
          raw,
          contentEncoding: typeof encoding === 'string' ? encoding : undefined,
        });
        // The key is looked up first: the workspace says which event names are reserved.
        const key = basicAuthKey(request.headers.authorization) ?? bodyWriteKey(body);
        const grant = key === undefined ? undefined : await keys.lookup(key, engine.clock());
        const reserved =
          grant?.kind === 'write' ? engine.workspace(grant.workspaceId)?.reservedEvents : undefined;
        const result = await normalizeCallYielding({
          body,
          call,
          receivedAt: engine.clock(),
          rawBytes: bytes,
          reserved,
        });
        if (key === undefined) throw new TailorError('MISSING_WRITE_KEY');
        if (grant === undefined || grant.kind !== 'write') throw new TailorError('UNKNOWN_WRITE_KEY');
        for (const refused of result.rejected) options.metrics?.eventsRefused(refused.code);

        if (result.events.length === 0) {
          options.live?.published({ workspaceId: grant.workspaceId, accepted: [], refused: result.rejected });
          const first = result.rejected[0];
          if (call !== 'batch' && first !== undefined) {
            throw new TailorError(first.code, first.message, [{ path: first.path, message: first.message }]);
          }
          const error = new TailorError('BATCH_REJECTED');
          return reply.status(400).send({
            code: error.code,
            message: error.message,
            success: false,
            accepted: 0,
            duplicates: 0,
            rejected: result.rejected,
          });
        }
        const outcomes = await engine.ingest(grant.workspaceId, result.events);
        let duplicates = 0;
        for (const outcome of outcomes) if (outcome.kind === 'duplicate') duplicates += 1;
        options.live?.published({
          workspaceId: grant.workspaceId,
          accepted:
            duplicates === 0
              ? result.events
              : result.events.filter((_, i) => outcomes[i]?.kind !== 'duplicate'),
          refused: result.rejected,
        });
        options.metrics?.eventsIngested({
          accepted: outcomes.length - duplicates,
          duplicates,
          receivedMs: reply.elapsedTime,
        });
        return reply.send({
          success: true,
          accepted: outcomes.length - duplicates,
          duplicates,
          rejected: result.rejected,
        });
      },
    );
  }
}
