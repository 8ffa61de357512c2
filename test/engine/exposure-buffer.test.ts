import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import { ExposureBuffer } from '../../src/engine/exposure-buffer.ts';
import { silentLogger } from '../../src/logger.ts';
import type { ExposureRow } from '../../src/store/ports/exposure-log.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { faultyStore } from '../support/faulty-store.ts';

/** An exposure of decision `messageId`. */
function row(messageId: string): ExposureRow {
  return {
    workspaceId: 'a',
    profileId: 'p1',
    userId: null,
    anonymousId: 'anon-1',
    placement: 'hero',
    variant: 'welcome',
    messageId,
    at: 0,
  };
}

/** A log that records each write, and refuses writes while `failing` is set. */
function fakeLog() {
  const writes: string[][] = [];
  const log = {
    failing: false,
    writes,
    async appendExposures(rows: ExposureRow[]): Promise<number> {
      if (log.failing) throw new Error('store away');
      writes.push(rows.map((r) => r.messageId));
      return rows.length;
    },
  };
  return log;
}

describe('ExposureBuffer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes what waits every flushMs, together, and at once past flushRows', async () => {
    const log = fakeLog();
    const buffer = new ExposureBuffer({ log, logger: silentLogger, flushMs: 100, flushRows: 3 });
    buffer.add([row('d1')]);
    buffer.add([row('d2')]);
    await vi.advanceTimersByTimeAsync(99);
    expect(log.writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(log.writes).toEqual([['d1', 'd2']]);
    buffer.add([row('d3'), row('d4'), row('d5')]);
    await vi.advanceTimersByTimeAsync(0);
    expect(log.writes).toEqual([
      ['d1', 'd2'],
      ['d3', 'd4', 'd5'],
    ]);
  });

  it('keeps exposures a write failed for and retries them, in order, before later ones', async () => {
    const log = fakeLog();
    const buffer = new ExposureBuffer({ log, logger: silentLogger, flushMs: 100, retryMs: 1_000 });
    log.failing = true;
    buffer.add([row('d1')]);
    await vi.advanceTimersByTimeAsync(100);
    expect(buffer.pending).toBe(1);
    buffer.add([row('d2')]);
    await expect(buffer.flush()).rejects.toThrow('store away');
    log.failing = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log.writes).toEqual([['d1', 'd2']]);
    expect(buffer.pending).toBe(0);
  });

  it('flush and close resolve once everything handed over is written', async () => {
    const log = fakeLog();
    const buffer = new ExposureBuffer({ log, logger: silentLogger });
    buffer.add([row('d1')]);
    await buffer.flush();
    expect(log.writes).toEqual([['d1']]);
    buffer.add([row('d2')]);
    await buffer.close();
    expect(log.writes).toEqual([['d1'], ['d2']]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log.writes).toHaveLength(2);
  });

  it('refuses exposures past maxRows while the store is away, and counts them', async () => {
    const log = fakeLog();
    log.failing = true;
    const buffer = new ExposureBuffer({ log, logger: silentLogger, maxRows: 2 });
    buffer.add([row('d1'), row('d2'), row('d3')]);
    expect(buffer.pending).toBe(2);
    expect(buffer.refused).toBe(1);
    log.failing = false;
    await buffer.flush();
    expect(log.writes).toEqual([['d1', 'd2']]);
  });
});

describe('the engine and its exposures', () => {
  it('keeps exposures a failed write refused, writes them on the next try, and once', async () => {
    const faulty = faultyStore(new SqliteStore({ path: ':memory:' }), ['appendExposures']);
    const engine = await Engine.open({ store: faulty.store });
    try {
      faulty.arm([
        { method: 'appendExposures', nth: 1, timing: 'before' },
        { method: 'appendExposures', nth: 2, timing: 'after' },
      ]);
      engine.recordExposures([row('d1')]);
      const read = () =>
        engine.reads.exposuresByPlacement({ workspaceId: 'a', placement: 'hero', limit: 10 });
      await expect(read()).rejects.toThrow();
      // Written, but the answer was lost: the retry writes it again, and it is stored once.
      await expect(read()).rejects.toThrow();
      expect(faulty.struck()).toBe(true);
      expect((await read()).exposures.map((exposure) => exposure.messageId)).toEqual(['d1']);
    } finally {
      await engine.close();
    }
  });
});
