import type { FastifyInstance } from 'fastify';
import type { TailorMetrics } from '../metrics/tailor-metrics.ts';
import { operatorGuard } from './operator-key.ts';

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
  const authorize = operatorGuard(options.operatorKey);
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    authorize(request);
    const { contentType, body } = await options.metrics.scrape();
    return reply.type(contentType).send(body);
  });
}
