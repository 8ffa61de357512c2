import type { Worker } from 'node:worker_threads';
import { ERRORS, type ErrorCode, TailorError } from '../../errors.ts';
import { AppendInDoubtError } from '../append-in-doubt-error.ts';
import { StoreFullError } from '../store-full-error.ts';
import { startSqliteWorker } from './start-worker.ts';

/** A store method call sent to the write thread. */
export interface WriteCall {
  id: number;
  method: string;
  args: unknown[];
}

/** An error as plain data, to cross the thread boundary. */
export interface ErrorData {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

/** The write thread's answer to a call: its result, or the error it threw. */
export type WriteAnswer = { id: number; result: unknown } | { id: number; error: ErrorData };

/** An error as plain data (`postMessage` would drop its class and its `code`). */
export function errorToData(error: unknown): ErrorData {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  return { name: error.name, message: error.message, code, stack: error.stack };
}

const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ERRORS, code);

/** The error the thread threw, rebuilt on this side: catalogue errors keep their class and code. */
function errorFromData(data: ErrorData): Error {
  let error: Error;
  if (data.name === 'StoreFullError') {
    error = new StoreFullError(Object.assign(new Error(data.message), { code: 'SQLITE_FULL' }));
  } else if (data.name === 'TailorError' && data.code !== undefined && isErrorCode(data.code)) {
    error = new TailorError(data.code, data.message);
  } else {
    error = Object.assign(new Error(data.message), data.code === undefined ? {} : { code: data.code });
    error.name = data.name;
  }
  if (data.stack !== undefined) error.stack = data.stack;
  return error;
}

interface PendingCall {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * The SQLite store's writes, run on a thread of their own: the worker holds a second connection
 * to the same file and runs each write there — its statements, its COMMIT and the fsync — while
 * this thread goes on parsing requests and applying events. Calls run one at a time, in the
 * order they were made, as on one connection.
 *
 * A thread that dies (it should not) fails the calls it held: an append among them is in doubt
 * (`AppendInDoubtError`: its COMMIT may have finished), the others failed. The next call starts
 * a new thread, so the writer's recovery, which retries, finds a working store again.
 */
export class SqliteWriteThread {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly calls = new Map<number, PendingCall>();
  private closed = false;

  /** `options` are the store's (`SqliteStoreOptions`), given to the thread's connection. */
  constructor(private readonly options: { path: string; [setting: string]: unknown }) {
    this.worker = this.start();
  }

  private start(): Worker {
    const worker = startSqliteWorker('sqlite-write-worker', this.options);
    worker.on('message', (answer: WriteAnswer) => {
      const call = this.calls.get(answer.id);
      if (call === undefined) return;
      this.calls.delete(answer.id);
      if ('error' in answer) call.reject(errorFromData(answer.error));
      else call.resolve(answer.result);
    });
    worker.on('error', (error) => this.lost(worker, error));
    worker.on('exit', (code) =>
      this.lost(worker, new Error(`the SQLite write thread exited (code ${code})`)),
    );
    return worker;
  }

  /** The thread is gone: what it held fails, and the next call starts another. */
  private lost(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const call of this.calls.values()) {
      call.reject(call.method === 'appendEvents' ? new AppendInDoubtError(error) : error);
    }
    this.calls.clear();
  }

  /** Runs `method` of the thread's store with `args`, copied to it as `postMessage` copies. */
  call<T>(method: string, args: unknown[]): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the SQLite store is closed'));
    this.worker ??= this.start();
    const worker = this.worker;
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.calls.set(id, { method, resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, method, args } satisfies WriteCall);
    });
  }

  /** Closes the thread's connection, after the calls already made, and ends the thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    const worker = this.worker;
    if (worker !== undefined) {
      await this.call('close', []).catch(() => undefined);
      this.worker = undefined;
      await worker.terminate();
    }
    this.closed = true;
  }
}
