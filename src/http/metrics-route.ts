import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hashKey } from '../engine/api-keys.ts';
import { TailorError } from '../errors.ts';
import type { TailorMetrics } from '../metrics/tailor-metrics.ts';
import { bearerKey } from './credentials.ts';

/**
 * `GET /metrics`: Tailor's Prometheus metrics, for the server's operator key
 * (`Authorization: Bearer <TAILOR_OPERATOR_KEY>`) only. They count every workspace's traffic
 * together, so neither a write key (public, in every web page) nor a workspace's admin key may
 * read them: both get 401 UNKNOWN_OPERATOR_KEY.
 */
export async function metricsRoute(
  app: FastifyInstance,
  options: { metrics: TailorMetrics; operatorKey: string | undefined },
): Promise<void> {
  const operatorHash =
    options.operatorKey === undefined ? undefined : Buffer.from(hashKey(options.operatorKey), 'utf8');
  const authorize = (request: FastifyRequest): void => {
    const key = bearerKey(request.headers.authorization);
    if (key === undefined) throw new TailorError('MISSING_OPERATOR_KEY');
    if (operatorHash === undefined || !timingSafeEqual(Buffer.from(hashKey(key), 'utf8'), operatorHash))
      throw new TailorError('UNKNOWN_OPERATOR_KEY');
  };
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    authorize(request);
    const { contentType, body } = await options.metrics.scrape();
    return reply.type(contentType).send(body);
  });
}
