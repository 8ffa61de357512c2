import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, spawnTailor, stopTailor } from '../support/spawn-tailor.ts';
import { basic, bearer, tempDir, workspaceYaml } from '../support/test-tailor.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const WRITE_KEY = 'wk_stop';
const ADMIN_KEY = 'ak_stop';
const EVENTS = 40;

/** A started process tree: the process a process manager knows, and Tailor's address. */
interface Started {
  parent: ChildProcess;
  url: string;
  dir: string;
  output(): string;
}

const started: Started[] = [];
afterEach(() => {
  for (const { parent, dir } of started.splice(0)) {
    parent.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Runs `command` (npm, or a shell as npm would) on a fresh data dir until Tailor prints its address. */
async function startUnder(command: string, args: string[]): Promise<Started> {
  const dir = tempDir('tailor-stop-');
  writeFileSync(join(dir, 'tailor.yaml'), workspaceYaml('shop'));
  const port = await freePort();
  const parent = spawn(command, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      npm_lifecycle_event: 'start',
      TAILOR_DATA_DIR: dir,
      TAILOR_PORT: String(port),
      TAILOR_CONFIG: join(dir, 'tailor.yaml'),
      TAILOR_WRITE_KEY: WRITE_KEY,
      TAILOR_ADMIN_KEY: ADMIN_KEY,
      TAILOR_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`Tailor did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Tailor is running on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    parent.stdout?.on('data', onData);
    parent.stderr?.on('data', onData);
  });
  const tree = { parent, url, dir, output: () => output };
  started.push(tree);
  return tree;
}

async function sendEvents(url: string): Promise<void> {
  const batch = Array.from({ length: EVENTS }, (_, i) => ({
    type: 'track',
    userId: 'u1',
    messageId: `stop-${i}`,
    event: 'Order Completed',
    properties: { revenue: 10 },
    timestamp: '2026-03-01T10:00:00Z',
  }));
  const reply = await fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: basic(WRITE_KEY) },
    body: JSON.stringify({ batch }),
  });
  expect(reply.status, await reply.text()).toBe(200);
}

/** Whether anything still answers at `url`. */
async function answers(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

async function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return { code: child.exitCode, signal: child.signalCode };
  return new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
}

/** Waits until nothing answers at `url` any more, for at most `ms`. */
async function silent(url: string, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!(await answers(url))) return true;
    await new Promise((wake) => setTimeout(wake, 100));
  }
  return false;
}

/** Starts Tailor again on the same data and reads how many of the events it has for u1. */
async function eventsAfterRestart(dir: string): Promise<number> {
  const again = await spawnTailor({
    dataDir: dir,
    env: {
      TAILOR_CONFIG: join(dir, 'tailor.yaml'),
      TAILOR_WRITE_KEY: WRITE_KEY,
      TAILOR_ADMIN_KEY: ADMIN_KEY,
    },
  });
  try {
    const reply = await fetch(`${again.url}/v1/profiles/user_id:u1/events?limit=1000`, {
      headers: { authorization: bearer(ADMIN_KEY) },
    });
    expect(reply.status).toBe(200);
    return ((await reply.json()) as { events: unknown[] }).events.length;
  } finally {
    await stopTailor(again);
  }
}

describe('stopping Tailor under a process manager', () => {
  it('SIGTERM to `npm start` stops the server, commits, and npm exits 0', async () => {
    const { parent, url, dir, output } = await startUnder('npm', ['start', '--silent']);
    // Not a terminal: JSON lines only, the start line among them, no banner and no key.
    const lines = output()
      .split('\n')
      .filter((line) => line.trim() !== '');
    expect(lines.map((line) => JSON.parse(line) as { msg: string }).map((line) => line.msg)).toContain(
      `Tailor is running on ${url} (workspace shop)`,
    );
    expect(output()).not.toContain(WRITE_KEY);
    await sendEvents(url);
    parent.kill('SIGTERM');
    expect(await exitOf(parent)).toEqual({ code: 0, signal: null });
    expect(await answers(url)).toBe(false);
    expect(await eventsAfterRestart(dir)).toBe(EVENTS);
  }, 120_000);

  it('Tailor run by npm through a shell stops itself when the shell is gone', async () => {
    // What `npx tailor start` (and `npm start` without `exec`) builds: npm → sh → node. A SIGTERM
    // ends the shell at once and leaves node to the init process.
    const { parent, url, dir } = await startUnder('sh', ['-c', 'node bin/tailor.js start; true']);
    await sendEvents(url);
    parent.kill('SIGTERM');
    await exitOf(parent);
    expect(await silent(url, 15_000)).toBe(true);
    expect(await eventsAfterRestart(dir)).toBe(EVENTS);
  }, 120_000);
});
