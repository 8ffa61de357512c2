import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `npm install` (the `prepare` script) builds the console: `console/dist` at the package root. */
export const CONSOLE_DIST = resolve(import.meta.dirname, '../../../console/dist');

/**
 * The console runs only its own bundle and talks only to this server: an injected script could
 * read the admin key the tab holds, so none may run and nothing may leave for another origin.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Serves the console, a static single-page app, at `/console/`. The files are public (they hold
 * no data); every read the app makes goes to the admin API with the admin key the person signs
 * in with. When the console was not built, `/console/` says how to build it.
 */
export async function consoleRoutes(app: FastifyInstance, options: { root?: string }): Promise<void> {
  const root = options.root ?? CONSOLE_DIST;
  app.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/'));
  if (!existsSync(resolve(root, 'index.html'))) {
    app.get('/console/*', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .status(503)
        .type('text/plain')
        .send('The console is not built: run `npm run build:console` (npm install does it).'),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/console/',
    schemaHide: true,
    // Hashed bundle names never change content; index.html is asked for again each time.
    setHeaders: (reply, path) => {
      reply.header('x-content-type-options', 'nosniff');
      reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
      reply.header('referrer-policy', 'no-referrer');
      reply.header(
        'cache-control',
        path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
      );
    },
    preCompressed: false,
  });
}
