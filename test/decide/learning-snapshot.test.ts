import { describe, expect, it } from 'vitest';
import { MAX_BINS_PER_ACTION } from '../../src/decide/learn/learn-model.ts';
import { parseLearningSnapshot } from '../../src/decide/learn/learning-snapshot.ts';
import { LearningState, type RecordedEvent } from '../../src/decide/learn/learning-state.ts';
import { CONTENT_SHOWN, DECISION_MADE, GOAL_REACHED } from '../../src/ingest/reserved-events.ts';
import { seededRandom } from '../support/seeded-random.ts';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const HOUR = 3_600_000;
/** How long decisions are kept: short, so the stream lets go of many. */
const RETAIN = 6 * HOUR;

/**
 * A random stream of what Tailor records: decisions (chosen or held out, some in an experiment),
 * variants shown, and goals reached for earlier ones (some twice, some for decisions let go),
 * over few people, so per-person limits and windows let decisions go.
 */
function recordedStream(count: number, seed: number): RecordedEvent[] {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const made: RecordedEvent[] = [];
  const out: RecordedEvent[] = [];
  let at = T0;
  for (let i = 0; i < count; i += 1) {
    at += Math.floor(random() * 20 * 60_000) - 2 * 60_000;
    const profileId = `p${Math.floor(random() * 12)}`;
    const context = { tailor: { recorded: true, profile_id: profileId } };
    const bin = pick(['pro', 'free', '-', 'pro|mobile']);
    const roll = random();
    if (roll < 0.4) {
      const held = random() < 0.2;
      const action = pick(['discount', 'free_shipping', 'demo']);
      const experiments = random() < 0.3 ? { exp_a: pick(['control', 'treat']) } : undefined;
      const event: RecordedEvent = {
        messageId: `d${i}`,
        event: DECISION_MADE,
        timestamp: at,
        properties: {
          outcome: held ? 'held_out' : 'action',
          ...(held ? { recommended_action: action } : { action }),
          learning: { bin },
          ...(experiments === undefined ? {} : { experiments }),
        },
        context,
      };
      made.push(event);
      out.push(event);
    } else if (roll < 0.6) {
      const event: RecordedEvent = {
        messageId: `c${i}`,
        event: CONTENT_SHOWN,
        timestamp: at,
        properties: { placement: 'hero', variant: pick(['spring', 'summer']), learning: { bin } },
        context,
      };
      made.push(event);
      out.push(event);
    } else if (made.length > 0) {
      const decision = pick(made);
      const p = decision.properties;
      const credit =
        decision.event === CONTENT_SHOWN
          ? { placement: p['placement'], variant: p['variant'] }
          : p['experiments'] !== undefined && random() < 0.5
            ? { experiment: 'exp_a', arm: Reflect.get(Object(p['experiments']), 'exp_a') }
            : {
                action: p['action'] ?? p['recommended_action'],
                group: p['outcome'] === 'held_out' ? 'held_out' : 'action',
              };
      out.push({
        messageId: `g${i}`,
        event: GOAL_REACHED,
        timestamp: at,
        properties: {
          ...credit,
          decision_id: decision.messageId,
          bin: Reflect.get(Object(p['learning']), 'bin'),
          value: Math.floor(random() * 100),
        },
        context,
      });
    }
  }
  return out;
}

function fold(events: readonly RecordedEvent[], state = new LearningState()): LearningState {
  for (const event of events) state.observe(event, RETAIN);
  return state;
}

/** A state through its stored form: encoded as the engine writes it, parsed and restored. */
async function throughStorage(state: LearningState): Promise<LearningState> {
  const snapshot = parseLearningSnapshot(await state.encode());
  if (snapshot === undefined) throw new Error('the snapshot did not parse');
  return LearningState.fromSnapshot(snapshot);
}

describe('learning state snapshots', () => {
  it.each([1, 2, 3])(
    'a state restored at any point and fed the rest equals the fold of the whole stream (seed %i)',
    async (seed) => {
      const events = recordedStream(400, seed);
      const whole = fold(events);
      // The stream exercises what a snapshot must carry: conversions, let-go decisions, experiments.
      expect(whole.groups.action.conversions).toBeGreaterThan(0);
      expect(whole.groups.held_out.conversions).toBeGreaterThan(0);
      expect(whole.armCounts('exp_a', 'treat').conversions).toBeGreaterThan(0);
      expect(whole.model.counts('hero/spring').successes).toBeGreaterThan(0);
      expect(whole.size).toBeGreaterThan(0);
      for (let split = 0; split <= events.length; split += 7) {
        const restored = fold(events.slice(split), await throughStorage(fold(events.slice(0, split))));
        expect(restored.snapshot()).toEqual(whole.snapshot());
      }
    },
  );

  it('keeps bins in the order they came, so the bin cap holds the same bins after a restore', async () => {
    const decision = (n: number): RecordedEvent => ({
      messageId: `d${n}`,
      event: DECISION_MADE,
      timestamp: T0 + n,
      properties: { outcome: 'action', action: 'discount', learning: { bin: `b${n}` } },
      context: { tailor: { profile_id: `p${n % 5}` } },
    });
    const first = Array.from({ length: MAX_BINS_PER_ACTION - 1 }, (_, n) => decision(n));
    const restored = fold([decision(5_000), decision(5_001)], await throughStorage(fold(first)));
    expect(restored.model.binsOf('discount').map(([bin]) => bin)).toEqual([
      ...first.map((event) => Reflect.get(Object(event.properties['learning']), 'bin')),
      'b5000',
    ]);
    expect(restored.model.counts('discount')).toEqual({ trials: MAX_BINS_PER_ACTION + 1, successes: 0 });
  });

  it('encodes a snapshot in slices into JSON that reads back as the same snapshot', async () => {
    for (const state of [new LearningState(), fold(recordedStream(400, 4))]) {
      const snapshot = state.snapshot();
      const text = await state.encode();
      expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(snapshot)));
      expect(parseLearningSnapshot(text)).toEqual(snapshot);
    }
  });

  it('does not read a snapshot of another version or shape', () => {
    const good = new LearningState().snapshot();
    expect(parseLearningSnapshot(JSON.stringify(good))).toEqual(good);
    expect(parseLearningSnapshot(JSON.stringify({ ...good, version: 2 }))).toBeUndefined();
    expect(parseLearningSnapshot(JSON.stringify({ ...good, recent: [['p1', [['d1']]]] }))).toBeUndefined();
    expect(parseLearningSnapshot('{"version":1')).toBeUndefined();
  });

  it('forgets the decisions kept for erased profiles, and only theirs', () => {
    const state = fold(recordedStream(200, 7));
    const before = state.snapshot();
    state.forget(['p3', 'p4']);
    const after = state.snapshot();
    const people = (snapshot: typeof before) => [
      ...new Set([...snapshot.recent, ...snapshot.inExperiments].map(([profileId]) => profileId)),
    ];
    expect(people(before)).toEqual(expect.arrayContaining(['p3', 'p4']));
    expect(people(after)).not.toContain('p3');
    expect(people(after)).not.toContain('p4');
    expect(after.recent).toEqual(before.recent.filter(([id]) => id !== 'p3' && id !== 'p4'));
    expect(after.pooled).toEqual(before.pooled);
    // A goal for a forgotten decision cannot find it: no one is credited twice, nothing is kept of them.
    expect(JSON.stringify(after)).not.toMatch(/"p[34]"/);
  });
});
