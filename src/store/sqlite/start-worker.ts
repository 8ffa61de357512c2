import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts one of the SQLite store's worker threads (`sqlite-write-worker`,
 * `sqlite-checkpoint-worker`) from this folder, built or not. Run from the TypeScript sources
 * (no build), the thread registers tsx before loading its entry: Node 20 gives a worker neither
 * the loader hooks nor an `--import` of its own. `require.resolve` finds tsx's API from here in
 * any runner; its ESM build sits beside the CJS one.
 */
export function startSqliteWorker(name: string, workerData: unknown): Worker {
  const self = import.meta.url;
  const typescript = self.endsWith('.ts');
  const entry = new URL(`./${name}.${typescript ? 'ts' : 'js'}`, self);
  if (!typescript) return new Worker(entry, { workerData });
  const tsx = pathToFileURL(
    createRequire(self)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  return new Worker(
    `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`,
    { eval: true, workerData },
  );
}
