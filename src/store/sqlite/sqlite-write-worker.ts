/**
 * The SQLite write thread's entry (see `SqliteWriteThread`): opens the second connection to the
 * database as the store's writer and runs the calls it is sent, one at a time, in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.ts';
import { errorToData, type WriteAnswer, type WriteCall } from './sqlite-write-thread.ts';

const port = parentPort;
if (port === null) throw new Error('sqlite-write-worker runs as a worker thread');
const store = new SqliteStore({ ...(workerData as SqliteStoreOptions), role: 'write-thread' });
const methods = store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
let queue: Promise<void> = Promise.resolve();

port.on('message', (call: WriteCall) => {
  queue = queue.then(async () => {
    let answer: WriteAnswer;
    try {
      const method = methods[call.method];
      if (typeof method !== 'function') throw new Error(`no store method ${call.method}`);
      answer = { id: call.id, result: await method.apply(store, call.args) };
    } catch (error) {
      answer = { id: call.id, error: errorToData(error) };
    }
    port.postMessage(answer);
  });
});
