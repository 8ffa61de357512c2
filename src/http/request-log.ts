import type { FastifyInstance } from 'fastify';
import type { TailorMetrics } from '../metrics/tailor-metrics.ts';

/** The routes whose answers are decisions, timed into the decide latency histogram. */
const DECIDE_ROUTES: ReadonlySet<string> = new Set(['/v1/decide', '/v1/profiles/:ref/decide']);

/** The `code` an error answer starts with (`{"code":"…"`): every error body is built so. */
const ERROR_CODE = /^\{"code":"([A-Z_]+)"/;

/**
 * Logs one JSON line per answered request — method, route pattern, status, duration (ms) and
 * the request id pino binds as `reqId` —, at info when it succeeded and at debug when it was
 * refused (4xx, 5xx), and counts it into `metrics` when given: its
 * duration by route and status, decide latency, and error answers by code. The route is the
 * declared pattern (`/v1/profiles/:ref`), never the URL, which may name a person or carry a
 * signed token.
 */
export function observeRequests(app: FastifyInstance, metrics: TailorMetrics | undefined): void {
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (metrics !== undefined && reply.statusCode >= 400 && typeof payload === 'string') {
      const code = ERROR_CODE.exec(payload)?.[1];
      if (code !== undefined) metrics.errorAnswered(code);
    }
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const ms = Math.round(reply.elapsedTime * 100) / 100;
    const line = { method: request.method, route, status: reply.statusCode, ms };
    // A refusal is logged at debug only: requests without a valid key must not flood the log
    // (docs/security.md); `tailor_http_errors_total` counts them by code at any level.
    if (reply.statusCode < 400) request.log.info(line, 'request');
    else request.log.debug(line, 'request');
    if (metrics !== undefined) {
      metrics.requestAnswered({ method: request.method, route, status: reply.statusCode, ms });
      if (DECIDE_ROUTES.has(route)) metrics.decideAnswered(ms);
    }
    done();
  });
}
