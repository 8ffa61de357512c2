import { setImmediate as yieldToIo } from 'node:timers/promises';

/** Longest stretch (ms) `mapInSlices` runs before letting I/O in. */
const SLICE_MS = 8;

/**
 * `items.map(fn)` that lets I/O run whenever it has worked for `sliceMs` straight: for CPU work
 * over many items on the main thread (encoding a view commit's profiles), so `/health` and every
 * other request are answered meanwhile. The caller must keep `items` unchanged until it resolves.
 */
export async function mapInSlices<T, R>(
  items: readonly T[],
  fn: (item: T) => R,
  sliceMs = SLICE_MS,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let sliceStart = performance.now();
  for (let i = 0; i < items.length; i += 1) {
    out[i] = fn(items[i] as T);
    if (performance.now() - sliceStart >= sliceMs) {
      await yieldToIo();
      sliceStart = performance.now();
    }
  }
  return out;
}
