import type { FastifyInstance } from 'fastify';

/**
 * Reads every request body as JSON whatever its Content-Type, as `docs/api.md` promises: curl's
 * default `application/x-www-form-urlencoded`, a browser's `text/plain` (sent to avoid a CORS
 * preflight) and no type at all are parsed like `application/json`, with Fastify's own parser
 * (prototype poisoning refused, an empty or malformed body is `400 INVALID_JSON`). Registered on
 * the root instance, so every route plugin inherits it; a plugin that reads raw bodies (tracking,
 * provider callbacks, the workspace's YAML) adds its own parsers over it.
 */
export function parseJsonWhateverType(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, json);
  app.addContentTypeParser('*', { parseAs: 'string' }, json);
}
