#!/usr/bin/env node
// Runs the JavaScript build (`dist/`, made by `npm run build`, which `npm install` runs) when it
// is current, with plain Node; when a source file is newer than the build (someone is changing
// Tailor), runs the TypeScript sources through tsx instead, so a stale build never runs.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Started by npm (`npm start`, `npx tailor …`), Tailor's parent is npm or the shell npm runs the
// script in, and a process manager stopping npm may stop only that parent. Whoever the parent
// was, once it is gone (re-parented, so `ppid` changes) stop as SIGTERM would: drain, commit,
// close, exit. Started any other way (a unit file, `nohup`), the parent leaving means nothing.
if (process.env.npm_lifecycle_event !== undefined) {
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    process.kill(process.pid, 'SIGTERM');
  }, 250);
  watch.unref();
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist/cli/main.js');

/** The newest modification time of any file under `dir`, in ms. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** Whether the build exists and no source file changed after it was made. */
function buildIsCurrent() {
  try {
    return statSync(built).mtimeMs >= newest(join(root, 'src'));
  } catch {
    return false;
  }
}

if (buildIsCurrent()) await import(built);
else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
