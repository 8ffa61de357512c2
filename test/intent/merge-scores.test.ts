import { describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../../src/ingest/event.ts';
import { mergeScores } from '../../src/intent/merge-scores.ts';
import { mergeProfiles } from '../../src/profile/merge-profiles.ts';
import { toProfileView } from '../../src/profile/profile-view.ts';
import { DAY, event, seededRandom, T0 } from '../profile/profile-fixtures.ts';
import { compiledOf, INTENT, scoredProfile } from './score-fixtures.ts';

const compiled = compiledOf([INTENT]);
const NAMES = ['Pricing Viewed', 'Message Replied', 'Unsubscribed', 'Product Viewed'];

function randomEvents(seed: number, count: number): LoggedEvent[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () =>
    event({
      event: NAMES[Math.floor(random() * NAMES.length)] ?? 'Pricing Viewed',
      timestamp: T0 + Math.floor(random() * 30 * DAY),
    }),
  );
}

describe('merging scores', () => {
  it.each([1, 2, 3, 4, 5])('equals one profile that saw both histories (seed %i)', (seed) => {
    const events = randomEvents(seed, 80);
    const split = Math.floor(events.length / 3);
    const into = scoredProfile(events.slice(0, split), compiled, 'a');
    const from = scoredProfile(events.slice(split), compiled, 'b');
    mergeProfiles({ into, from, compiled: compiled.computed, scores: compiled.scores, recentLimit: 20 });
    const single = scoredProfile(events, compiled);
    expect(into.scores?.['intent']?.at).toBe(single.scores?.['intent']?.at);
    expect(into.scores?.['intent']?.v).toBeCloseTo(single.scores?.['intent']?.v ?? Number.NaN, 9);
    const now = T0 + 40 * DAY;
    const view = (profile: typeof into) =>
      toProfileView({ profile, compiled: compiled.computed, scores: compiled.scores, now }).scores;
    expect(view(into)).toEqual(view(single));
  });

  it('brings both to the later time, takes a state the target lacks, and drops scores no longer defined', () => {
    const into = { intent: { v: 40, at: T0 + 7 * DAY } };
    const from = { intent: { v: 20, at: T0 }, gone: { v: 5, at: T0 } };
    mergeScores({ into, from, compiled: compiled.scores });
    expect(into).toEqual({ intent: { v: 50, at: T0 + 7 * DAY } });
    const empty = {};
    mergeScores({ into: empty, from, compiled: compiled.scores });
    expect(empty).toEqual({ intent: { v: 20, at: T0 } });
  });
});
