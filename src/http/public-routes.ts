import { CALL_PATHS } from '../ingest/route-calls.ts';

/** Routes anyone may call: the tracking API and decide (write key), provider callbacks and email links (signed). */
const PUBLIC_ROUTES: ReadonlySet<string> = new Set([
  '/health',
  '/openapi.json',
  '/v1/decide',
  '/v1/c/:token',
  '/v1/u/:token',
  '/v1/webhooks/:workspace/whatsapp',
  '/v1/webhooks/:workspace/twilio/status',
  '/v1/webhooks/:workspace/twilio/inbound',
  ...Object.keys(CALL_PATHS).map((path) => `/v1/${path}`),
]);

/**
 * Whether a route (by its declared URL pattern) is public. Every other route is an admin route:
 * a route added later is secret until it is listed here, never the other way round.
 */
export function isPublicRoute(url: string | undefined): boolean {
  return url === undefined || PUBLIC_ROUTES.has(url);
}
