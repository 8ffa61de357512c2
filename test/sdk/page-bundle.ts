import { resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Bundles a page script (TypeScript/TSX, importing npm packages or the SDK's sources by path
 * from the repository root) into one minified script for a `<script>` tag, as a site's build
 * would: how the browser tests run React and the real analytics.js, and how the benchmark sizes
 * other SDKs the same way as Tailor's.
 */
export async function bundlePage(contents: string): Promise<string> {
  const result = await build({
    stdin: { contents, resolveDir: ROOT, loader: 'tsx', sourcefile: 'page.tsx' },
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2019',
    legalComments: 'none',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}
