import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../bin/tailor.js');

/** A `tailor start` child process and the address it printed. */
export interface SpawnedTailor {
  child: ChildProcess;
  url: string;
  output(): string;
}

/**
 * Starts the real CLI (`tailor start --port <port>`, a free port unless given) as a child
 * process and waits until it prints its address: the way a person runs Tailor, for end-to-end
 * and crash tests. A fixed port lets a restarted Tailor keep its address for callers.
 */
export function spawnTailor(input: {
  dataDir: string;
  env?: Record<string, string>;
  port?: number;
}): Promise<SpawnedTailor> {
  const args = [BIN, 'start', '--port', String(input.port ?? 0), '--data-dir', input.dataDir];
  const child = spawn(process.execPath, args, {
    // The banner a person sees at a terminal, keys and all, though stdout is a pipe here.
    env: { ...process.env, TAILOR_LOG_LEVEL: 'warn', TAILOR_BANNER: '1', ...input.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`tailor did not start in time:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Tailor is running on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolvePromise({ child, url: match[1], output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tailor exited with ${code} before starting:\n${output}`));
    });
  });
}

/** Stops a spawned Tailor with a signal and waits for it to exit. */
export function stopTailor(
  tailor: SpawnedTailor,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  return new Promise((resolvePromise) => {
    if (tailor.child.exitCode !== null || tailor.child.signalCode !== null) {
      resolvePromise(tailor.child.exitCode);
      return;
    }
    tailor.child.once('exit', (code) => resolvePromise(code));
    tailor.child.kill(signal);
  });
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it), for a server that must keep its address. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolvePromise) => server.listen(0, '127.0.0.1', resolvePromise));
  const address = server.address();
  await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
