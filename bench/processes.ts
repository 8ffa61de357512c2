import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

/** A child process started for a benchmark, with the address it printed. */
export interface Running {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** Runs a TypeScript file under tsx in a child process and waits for a line matching `ready`. */
export function startProcess(input: {
  args: string[];
  env?: Record<string, string>;
  ready: RegExp;
}): Promise<Running> {
  const child = spawn(process.execPath, input.args, {
    cwd: ROOT,
    env: { ...process.env, ...input.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolvePromise, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = input.ready.exec(output);
      if (match?.[1]) {
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        resolvePromise({
          child,
          url: match[1],
          stop: () =>
            new Promise((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`${input.args.join(' ')} exited with ${code}:\n${output}`)),
    );
  });
}

/** Runs a TypeScript bench script to completion and parses the JSON line it prints last. */
export function runScript<T>(
  file: string,
  options: { nodeArgs?: string[]; env?: Record<string, string> } = {},
): Promise<T> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', file], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolvePromise, reject) => {
    child.once('exit', (code) => {
      const last = output.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`${file} exited with ${code}:\n${output}`));
      else resolvePromise(JSON.parse(last) as T);
    });
  });
}
