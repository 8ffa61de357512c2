import { CALL_PATHS } from '../ingest/route-calls.ts';

/** The routes whose requests are client work with the write key, gated by admission: tracking calls and decide. */
export const CLIENT_WORK_ROUTES: ReadonlySet<string> = new Set([
  ...Object.keys(CALL_PATHS).map((path) => `/v1/${path}`),
  '/v1/decide',
  '/v1/exposures',
]);

/**
 * Routes that do not take an admin key: client work (write key), provider callbacks and email
 * links (signed), health, analytics.js settings (public, as the write key they name), and workspace creation (the operator key, checked by its route).
 */
const PUBLIC_ROUTES: ReadonlySet<string> = new Set([
  ...CLIENT_WORK_ROUTES,
  '/health',
  '/ready',
  // Checks the operator key itself, as workspace creation does.
  '/metrics',
  '/openapi.json',
  // The console's static files: they hold no data, and the app signs in to the admin API.
  '/console',
  '/console/',
  '/console/*',
  '/v1/c/:token',
  '/v1/u/:token',
  '/v1/webhooks/:workspace/whatsapp',
  '/v1/webhooks/:workspace/twilio/status',
  '/v1/webhooks/:workspace/twilio/inbound',
  '/v1/webhooks/:workspace/hubspot',
  '/v1/webhooks/:workspace/messenger',
  '/v1/webhooks/:workspace/instagram',
  '/v1/workspaces',
  '/v1/projects/:writeKey/settings',
  // The browser SDK's bundles and its demo page: static files, the demo naming only a write key.
  '/sdk/tailor.js',
  '/sdk/tailor.mjs',
  '/sdk/react.mjs',
  '/demo',
  '/demo/:file',
]);

/**
 * Whether a route (by its declared URL pattern) is public. Every other route is an admin route:
 * a route added later is secret until it is listed here, never the other way round.
 */
export function isPublicRoute(url: string | undefined): boolean {
  return url === undefined || PUBLIC_ROUTES.has(url);
}
