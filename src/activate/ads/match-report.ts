import type { ChannelAdapter } from '../channel.ts';

/** How long asking for a match report may take (ms): an admin read waits for it. */
export const REPORT_TIMEOUT_MS = 5_000;

/**
 * What an ad platform reports of how many of a list's people it matched: Meta the audience's
 * approximate size (matched people, as a range), Google the match rate range of the latest job.
 */
export interface MatchReport {
  /** Meta: the audience's approximate size, lower and upper bound. */
  approximateCount?: { lower: number; upper: number };
  /** Google: the latest job's `matchRateRange`, like `MATCH_RANGE_50_TO_60`. */
  matchRateRange?: string;
}

/** An audience adapter that can ask its platform for a list's match report. */
export interface MatchReporting {
  /** The platform's report for a list, or undefined when it has none or could not be asked. */
  matchReport(list: string): Promise<MatchReport | undefined>;
}

/** Whether an adapter can report match rates. */
export function reportsMatches(adapter: ChannelAdapter): adapter is ChannelAdapter & MatchReporting {
  return 'matchReport' in adapter && typeof adapter.matchReport === 'function';
}
