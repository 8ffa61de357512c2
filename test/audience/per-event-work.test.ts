import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CompiledCondition } from '../../src/conditions/compile-condition.ts';
import { compileWorkspace } from '../../src/engine/compiled-workspace.ts';
import { nextExpiry } from '../../src/profile/computed/behaviour-trait.ts';
import {
  type AudienceHarness,
  audienceWorkspace,
  DAY,
  eventAt,
  HOUR,
  openAudience,
  profileOf,
  T0,
  WS,
} from '../support/audience-harness.ts';

vi.mock('../../src/profile/computed/behaviour-trait.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/profile/computed/behaviour-trait.ts')>();
  return { ...original, nextExpiry: vi.fn(original.nextExpiry) };
});

const UNRELATED = 1_000;

/** 1,000 segments on events of their own, plus two that a `Pricing Viewed` event concerns. */
function sections(): string {
  const lines = ['segments:'];
  for (let i = 0; i < UNRELATED; i += 1)
    lines.push(`  - key: other_${i}`, '    when:', `      $performed: { event: Other ${i}, within: 7d }`);
  lines.push(
    '  - key: pricing_recent',
    '    when:',
    '      $performed: { event: Pricing Viewed, within: 7d }',
    '  - key: pricing_twice',
    '    when:',
    '      $performed: { event: Pricing Viewed, count: { $gte: 2 } }',
  );
  return `${lines.join('\n')}\n`;
}

let harness: AudienceHarness | undefined;
afterEach(async () => {
  await harness?.engine.close();
  harness = undefined;
});

/** Wraps every segment condition of the engine's compiled workspace to count its evaluations by key. */
function countEvaluations(h: AudienceHarness): Map<string, number> {
  const compiled = h.engine.workspace(WS);
  if (compiled === undefined) throw new Error('no workspace');
  const counts = new Map<string, number>();
  for (const segment of compiled.audience.segments) {
    const when = segment.when;
    const counted: CompiledCondition = (context, now, behaviour) => {
      counts.set(segment.key, (counts.get(segment.key) ?? 0) + 1);
      return when(context, now, behaviour);
    };
    // The compiled objects are plain: the indexes hold these very objects, so this reaches them all.
    Object.defineProperty(segment, 'when', { value: counted });
  }
  return counts;
}

async function send(h: AudienceHarness, event: string, at: number): Promise<void> {
  h.clock.set(T0 + at);
  await h.engine.ingest(WS, [eventAt({ userId: 'u1', event }, T0 + at)]);
}

describe('per-event work', () => {
  it('indexes the segments the way the engine evaluates them', () => {
    const compiled = compileWorkspace(audienceWorkspace(sections()), 1);
    expect(compiled.audience.segments).toHaveLength(UNRELATED + 2);
    const named = compiled.audience.byEvent.named.get('track');
    expect(
      named?.get('Pricing Viewed')?.map((target) => (target.kind === 'segment' ? target.key : 'x')),
    ).toEqual(['pricing_recent', 'pricing_twice']);
    expect(compiled.audience.onAnyEvent).toEqual([]);
  });

  it('evaluates only the segments an event concerns, among 1,000 others', async () => {
    const h = await openAudience(sections());
    harness = h;
    const counts = countEvaluations(h);

    await send(h, 'Pricing Viewed', 0);
    expect(Object.fromEntries(counts)).toEqual({ pricing_recent: 1, pricing_twice: 1 });

    counts.clear();
    await send(h, 'Pricing Viewed', HOUR);
    expect(Object.fromEntries(counts)).toEqual({ pricing_recent: 1, pricing_twice: 1 });
    expect((await profileOf(h.engine, 'user_id:u1')).audience?.segments).toEqual({
      pricing_recent: T0,
      pricing_twice: T0 + HOUR,
    });

    counts.clear();
    await send(h, 'Something Else', 2 * HOUR);
    expect(Object.fromEntries(counts)).toEqual({});

    counts.clear();
    await send(h, 'Other 7', 3 * HOUR);
    expect(Object.fromEntries(counts)).toEqual({ other_7: 1 });
  });

  // `nextDue` runs on every event: it must look only at the windowed counts the profile holds,
  // not at the 1,000 hidden counts of segments the event and the profile have nothing to do with.
  it('looks up window expiries only for counts the profile holds, not for all 1,000', async () => {
    const h = await openAudience(sections());
    harness = h;
    await send(h, 'Pricing Viewed', 0);
    const expiry = vi.mocked(nextExpiry);
    expiry.mockClear();
    await send(h, 'Something Else', DAY);
    expect(expiry.mock.calls.length).toBeLessThanOrEqual(2);
  });
});

describe('per due moment work', () => {
  it('evaluates only the timed segments whose counts the profile holds, among 1,000 others', async () => {
    const h = await openAudience(sections());
    harness = h;
    await send(h, 'Pricing Viewed', 0);
    const counts = countEvaluations(h);
    h.clock.set(T0 + 8 * DAY);
    await h.engine.fireDueTimers();
    // The window ran out: only the windowed segment the profile is in was looked at again.
    expect(Object.fromEntries(counts)).toEqual({ pricing_recent: 1 });
    expect((await profileOf(h.engine, 'user_id:u1')).audience?.segments).toEqual({});
  });
});
