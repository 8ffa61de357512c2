/**
 * What a start costs when a workspace learns: a SQLite log of `decisions` recorded `Decision
 * Made` events (and a `Goal Reached` for one in twenty) for 20,000 people through the learn
 * example workspace, then `Engine.open` timed on it, alternating: with the learning state the
 * clean close kept (`learning_states`), and with that row deleted, so the start counts the whole
 * log into the model as every start did before the state was kept.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Engine } from '../src/engine/engine.ts';
import type { TailorEvent } from '../src/ingest/event.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { parseWorkspaceYaml } from '../src/workspace/load-workspace.ts';

/** What the start-up benchmark measured. */
export interface LearnStartupResult {
  /** Log positions. */
  positions: number;
  /** `Engine.open` with the kept state, and without it (ms, medians). */
  keptMs: number;
  countedMs: number;
  /** The kept state's size (bytes) and the decisions it keeps for attribution. */
  stateBytes: number;
  keptDecisions: number;
}

const PEOPLE = 20_000;
const T0 = Date.parse('2026-03-01T00:00:00Z');
const ACTIONS = ['discount_10', 'free_shipping', 'premium_trial'];
const BINS = ['free|mobile', 'free|desktop', 'pro|mobile', 'pro|desktop'];

function recorded(i: number, event: string, properties: Record<string, unknown>): TailorEvent {
  const person = i % PEOPLE;
  return {
    type: 'track',
    messageId: `${event === 'Goal Reached' ? 'g' : 'd'}${i}`,
    timestamp: T0 + i * 1_000,
    receivedAt: T0 + i * 1_000,
    userId: `u${person}`,
    event,
    properties,
    traits: {},
    context: { tailor: { recorded: true, profile_id: `p${person}` } },
    integrations: {},
    origin: 'tailor',
  };
}

function logged(count: number): TailorEvent[] {
  const events: TailorEvent[] = [];
  for (let i = 0; i < count; i += 1) {
    const held = i % 10 === 0;
    const action = ACTIONS[i % 3] ?? 'discount_10';
    const bin = BINS[i % 4] ?? '-';
    events.push(
      recorded(i, 'Decision Made', {
        outcome: held ? 'held_out' : 'action',
        ...(held ? { recommended_action: action } : { action }),
        learning: { bin, explored: false },
      }),
    );
    if (i % 20 === 5)
      events.push(
        recorded(i, 'Goal Reached', {
          goal: 'Order Completed',
          action,
          group: held ? 'held_out' : 'action',
          decision_id: `d${i}`,
          bin,
          value: 10,
        }),
      );
  }
  return events;
}

/** Builds the log, closes cleanly, and times the two starts, alternating, `rounds` of each (medians). */
export async function learnStartupBench(input: {
  decisions: number;
  rounds: number;
}): Promise<LearnStartupResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tailor-bench-learn-start-'));
  const path = join(dir, 'tailor.db');
  const options = { checkpointIntervalMs: 3_600_000, timerIntervalMs: 3_600_000 };
  try {
    const engine = await Engine.open({ store: new SqliteStore({ path }), ...options });
    const text = readFileSync('examples/learn/workspace.yaml', 'utf8');
    await engine.applyWorkspace(parseWorkspaceYaml({ text }));
    const events = logged(input.decisions);
    for (let start = 0; start < events.length; start += 1_000)
      await engine.ingest('learn_shop', events.slice(start, start + 1_000));
    await engine.close();

    const db = new Database(path);
    const row = db.prepare<[], { state: string }>('SELECT state FROM learning_states').get();
    const positions = db.prepare<[], { n: number }>('SELECT max(seq) AS n FROM events').get()?.n ?? 0;
    db.close();
    const state = row?.state ?? '';

    const timedOpen = async (): Promise<number> => {
      const started = performance.now();
      const opened = await Engine.open({ store: new SqliteStore({ path }), ...options });
      const ms = performance.now() - started;
      // A clean close keeps the state again: the next start has it.
      await opened.close();
      return ms;
    };
    const forget = () => {
      const db = new Database(path);
      db.exec('DELETE FROM learning_states');
      db.close();
    };
    // A first start warms the process up; then the two kinds of start alternate.
    await timedOpen();
    const kept: number[] = [];
    const counted: number[] = [];
    for (let round = 0; round < input.rounds; round += 1) {
      kept.push(await timedOpen());
      forget();
      counted.push(await timedOpen());
    }
    const keptMs = median(kept);
    const countedMs = median(counted);
    const keptDecisions = state === '' ? 0 : keptCount(state);
    return { positions, keptMs, countedMs, stateBytes: Buffer.byteLength(state), keptDecisions };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Decisions a kept state holds for attribution (its `recent` lists). */
function keptCount(state: string): number {
  const parsed: unknown = JSON.parse(state);
  const recent: unknown = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'recent') : [];
  if (!Array.isArray(recent)) return 0;
  return recent.reduce((sum: number, entry: unknown) => {
    const list: unknown = Array.isArray(entry) ? entry[1] : [];
    return sum + (Array.isArray(list) ? list.length : 0);
  }, 0);
}
