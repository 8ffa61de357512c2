/**
 * Builds the browser SDK into `dist/sdk/` (run by `npm install` through `prepare`, and by the
 * browser tests before they start): `tailor.js` for a script tag (global `tailor`), `tailor.mjs`
 * as an ES module, `react.mjs` for the React binding (React itself left to the page). Minified,
 * for browsers from 2019 on.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(fileURLToPath(import.meta.url));
/** Where the bundles are written, and served from by `/sdk/…`. */
export const SDK_DIST = join(root, '../dist/sdk');

/** Bundles the SDK; resolves when the three files are written. */
export async function buildSdk(): Promise<void> {
  const common = { bundle: true, minify: true, target: 'es2019', legalComments: 'none' } as const;
  await Promise.all([
    build({
      ...common,
      entryPoints: [join(root, 'src/global.ts')],
      format: 'iife',
      outfile: join(SDK_DIST, 'tailor.js'),
    }),
    build({
      ...common,
      entryPoints: [join(root, 'src/index.ts')],
      format: 'esm',
      outfile: join(SDK_DIST, 'tailor.mjs'),
    }),
    build({
      ...common,
      entryPoints: [join(root, 'src/react.ts')],
      format: 'esm',
      outfile: join(SDK_DIST, 'react.mjs'),
      external: ['react', 'react/jsx-runtime', './index.ts'],
    }),
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildSdk();
