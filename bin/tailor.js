#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so there is no build step to forget.
import { register } from 'tsx/esm/api';

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

register();
await import('../src/cli/main.ts');
