import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { TailorError } from '../../errors.ts';

/** Where `npm install` (the `prepare` script, `sdk/build.ts`) writes the browser SDK's bundles. */
const SDK_DIST = new URL('../../../dist/sdk/', import.meta.url);

/** The bundles served, by route. */
const BUNDLES: Record<string, string> = {
  '/sdk/tailor.js': 'tailor.js',
  '/sdk/tailor.mjs': 'tailor.mjs',
  '/sdk/react.mjs': 'react.mjs',
};

/**
 * The browser SDK, served by Tailor itself: `/sdk/tailor.js` for a script tag (global
 * `tailor`), `/sdk/tailor.mjs` as an ES module, `/sdk/react.mjs` the React binding (it imports
 * `react`, which the page maps). Each file is read once and kept in memory; browsers may cache
 * it for five minutes, so a new version reaches pages soon after an upgrade.
 */
export async function sdkRoutes(app: FastifyInstance): Promise<void> {
  const loaded = new Map<string, Promise<Buffer>>();
  for (const [route, file] of Object.entries(BUNDLES)) {
    app.get(route, { schema: { hide: true } }, async (_request, reply) => {
      let body = loaded.get(file);
      if (body === undefined) {
        body = readFile(new URL(file, SDK_DIST));
        loaded.set(file, body);
      }
      try {
        const bytes = await body;
        return reply
          .type('text/javascript; charset=utf-8')
          .header('cache-control', 'public, max-age=300')
          .send(bytes);
      } catch {
        loaded.delete(file);
        throw new TailorError('NOT_FOUND', `${file} is not built: run \`npm run build\``);
      }
    });
  }
}
