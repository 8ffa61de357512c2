import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { fakeClock } from '../../src/clock.ts';
import { Engine } from '../../src/engine/engine.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { type Fault, type FaultTiming, faultyStore } from '../support/faulty-store.ts';
import { tempDir } from '../support/test-tailor.ts';
import {
  ENGINE_STORE_METHODS,
  exposures,
  faultWorkspace,
  outbox,
  runWorkload,
  storedPeople,
  T0,
} from './fault-workload.ts';

const PG_URL = process.env['TAILOR_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA_PREFIX = `tailor_fault_${process.pid}_${randomBytes(3).toString('hex')}`;
const schemas: string[] = [];

const stores: Record<string, () => Store> = {
  SQLite: () => new SqliteStore({ path: join(tempDir('tailor-fault-'), 'tailor.db') }),
  PostgreSQL: () => {
    const schema = `${SCHEMA_PREFIX}_${schemas.length}`;
    schemas.push(schema);
    return new PostgresStore({ connectionString: PG_URL, schema, poolSize: 2 });
  },
};

afterAll(async () => {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

/** One run of the workload on a fresh store, with `faults` armed once the workspace is in place. */
async function run(open: () => Store, faults: readonly Fault[]) {
  const clock = fakeClock(T0);
  const inner = open();
  const faulty = faultyStore(inner, [...ENGINE_STORE_METHODS]);
  const engine = await Engine.open({
    store: faulty.store,
    clock: clock.now,
    checkpointIntervalMs: 3_600_000,
    timerIntervalMs: 3_600_000,
    // Commits inside flushes, and evictions so that profiles are read back from the store.
    commitEveryEvents: 7,
    maxCachedProfiles: 3,
  });
  try {
    await engine.applyWorkspace(faultWorkspace());
    faulty.arm(faults);
    await runWorkload(engine, clock);
    await engine.recovered();
    // What the engine holds of the exposure log is written first, through the faults too.
    const shown = await exposures(engine);
    // Read past the faults, so the test's own reads are neither counted nor failed.
    const calls = new Map(faulty.calls);
    const stored = await storedPeople(inner);
    const sends = await outbox(inner);
    // A full replay of the log through the same definition, into a fresh view.
    await engine.applyWorkspace(faultWorkspace());
    const replayed = await storedPeople(inner);
    return { stored, replayed, sends, shown, calls, struck: faulty.struck() };
  } finally {
    await engine.close();
  }
}

/** Up to `count` call numbers spread over 1..calls (all of them when there are few). */
function spread(calls: number, count: number): number[] {
  if (calls <= count) return Array.from({ length: calls }, (_, i) => i + 1);
  return Array.from({ length: count }, (_, i) => 1 + Math.round((i * (calls - 1)) / (count - 1)));
}

/** Fault cases per store method (spread over its calls) on each store: PostgreSQL runs are slower. */
const PER_METHOD: Record<string, number> = { SQLite: 5, PostgreSQL: 2 };

describe.each(Object.keys(stores))('store faults swept over a workload (%s)', async (kind) => {
  const open = stores[kind] as () => Store;
  const run1 = (faults: readonly Fault[]) => run(open, faults);
  const reference = await run1([]);

  it('the fault-free run is a meaningful reference: people merged, orders counted, sends queued', () => {
    expect(reference.stored.profiles).toHaveLength(8);
    expect(reference.stored).toEqual(reference.replayed);
    const orders = reference.stored.profiles.map((profile) => profile.eventCount);
    expect(orders.every((count) => count >= 4)).toBe(true);
    expect(reference.sends.length).toBeGreaterThan(0);
    expect(reference.shown).toHaveLength(8);
    for (const method of ['appendEvents', 'commitView', 'loadProfiles', 'enqueueSends', 'dueProfiles'])
      expect(reference.calls.get(method), method).toBeGreaterThan(0);
  });

  const timings: FaultTiming[] = ['before', 'after'];
  const cases: [string, number, FaultTiming][] = [];
  for (const method of ENGINE_STORE_METHODS) {
    const calls = reference.calls.get(method) ?? 0;
    for (const nth of spread(calls, PER_METHOD[kind] ?? 2))
      for (const timing of timings) cases.push([method, nth, timing]);
  }

  it.each(cases)(
    'the %s call #%i failing %s: every acknowledged event applied once, the view equals a full replay',
    async (method, nth, timing) => {
      const result = await run1([{ method, nth, timing }]);
      expect(result.struck).toBe(true);
      expect(result.stored).toEqual(result.replayed);
      expect(result.stored).toEqual(reference.stored);
      expect(result.sends).toEqual(reference.sends);
      expect(result.shown).toEqual(reference.shown);
    },
  );

  // Recovery itself meets faults: a failed view commit stops the writer, then the store fails
  // again while recovery reads it (its first attempt, or its first two); recovery retries.
  const recoveryCases: [string, number, FaultTiming][] = [];
  for (const method of ['viewCheckpoint', 'listWorkspaces', 'lastSeq', 'readEvents'])
    for (const nth of [1, 2]) for (const timing of timings) recoveryCases.push([method, nth, timing]);

  it.each(recoveryCases)(
    'a failed view commit, then recovery meeting a fault in the %s call #%i (%s): recovery retries and ends in the same view',
    async (method, nth, timing) => {
      const result = await run1([
        { method: 'commitView', nth: 1, timing: 'before' },
        ...Array.from({ length: nth }, (_, i) => ({ method, nth: i + 1, timing })),
      ]);
      expect(result.struck).toBe(true);
      expect(result.stored).toEqual(result.replayed);
      expect(result.stored).toEqual(reference.stored);
      expect(result.sends).toEqual(reference.sends);
      expect(result.shown).toEqual(reference.shown);
    },
  );
});
