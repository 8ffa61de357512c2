import { toEpochMs } from '../conditions/timestamp.ts';
import { nextJourneyDue } from '../journey/step-journeys.ts';
import { nextExpiry } from '../profile/computed/behaviour-trait.ts';
import type { ProfileState } from '../profile/profile.ts';
import { profileContext } from '../profile/profile-context.ts';
import type { AudienceWorkspace } from './update-audience.ts';

/**
 * The next moment after `t` at which the profile's audience can change with no new event, or
 * undefined when none can: the earliest of its detectors' waits ending, a windowed count that a
 * timed target reads losing its oldest bucket, a decaying score crossing a number a timed
 * target compares it with, and a timestamp growing older than a `$olderThan`/`$newerThan`
 * duration. It may come early (the change may not flip any answer) but never late.
 */
export function nextDue(input: {
  profile: ProfileState;
  workspace: AudienceWorkspace;
  t: number;
}): number | undefined {
  const { profile, workspace, t } = input;
  const { timeInputs } = workspace.audience;
  let due = Number.POSITIVE_INFINITY;
  for (const key in profile.audience?.pending) {
    const pending = profile.audience.pending[key];
    if (pending !== undefined && pending.due < due) due = pending.due;
  }
  if (timeInputs.traits.size > 0)
    for (const key in profile.computed) {
      const trait = timeInputs.traits.get(key);
      if (trait === undefined) continue;
      const expiry = nextExpiry(profile.computed[key], trait, t);
      if (expiry !== undefined && expiry < due) due = expiry;
    }
  for (const { score, thresholds } of timeInputs.scores) {
    const state = profile.scores?.[score.key];
    const halfLifeMs = score.halfLifeMs;
    if (state === undefined || halfLifeMs === undefined || state.v === 0) continue;
    for (const threshold of thresholds) {
      const crossing = crossingTime(state.v, state.at, halfLifeMs, threshold);
      if (crossing !== undefined && crossing > t && crossing < due) due = crossing;
    }
  }
  if (timeInputs.ages.length > 0) {
    const context = profileContext({
      profile,
      compiled: workspace.computed,
      now: t,
      scores: workspace.scores,
    });
    for (const { get, ms } of timeInputs.ages) {
      const at = toEpochMs(get(context));
      if (Number.isNaN(at)) continue;
      for (const offset of ms) {
        const flips = at + offset;
        if (flips > t && flips < due) due = flips;
      }
    }
  }
  const journeyDue = profile.journeys === undefined ? undefined : nextJourneyDue(profile.journeys);
  if (journeyDue !== undefined && journeyDue < due) due = journeyDue;
  return Number.isFinite(due) ? due : undefined;
}

/**
 * When `v` points at `at`, halving every `halfLifeMs`, cross `threshold` on their way to zero
 * (rounded up to the next millisecond, so the value is past it), or undefined when they never do.
 */
function crossingTime(v: number, at: number, halfLifeMs: number, threshold: number): number | undefined {
  if (threshold === 0 || Math.sign(threshold) !== Math.sign(v) || Math.abs(threshold) >= Math.abs(v))
    return undefined;
  return Math.floor(at + halfLifeMs * Math.log2(v / threshold)) + 1;
}
