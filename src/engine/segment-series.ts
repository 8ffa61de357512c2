import type { SegmentHour } from '../store/ports/view-store.ts';

/** One bucket of a segment's size over time. */
export interface SeriesPoint {
  /** Start of the bucket (epoch ms). */
  at: number;
  /** Profiles that entered, and that left, during the bucket. */
  entries: number;
  exits: number;
  /** Members at the end of the bucket (now, for the bucket holding now). */
  size: number;
}

/**
 * A segment's size over the `points` buckets of `bucketMs` (an hour or a day, aligned on UTC)
 * that end with the one holding `now`, worked back from its size now: the size at the end of a
 * bucket is today's size less what every later hour added (entries less exits), future-dated
 * hours included. So the series ends at the size the segment has, whatever happened before it.
 */
export function segmentSeries(input: {
  size: number;
  /** The segment's counts by hour from the first bucket's start on (`seriesStart`). */
  hours: readonly SegmentHour[];
  now: number;
  bucketMs: number;
  points: number;
}): SeriesPoint[] {
  const { bucketMs, points } = input;
  const first = seriesStart(input);
  const series: SeriesPoint[] = Array.from({ length: points }, (_, i) => ({
    at: first + i * bucketMs,
    entries: 0,
    exits: 0,
    size: 0,
  }));
  let later = 0;
  for (const hour of input.hours) {
    const point = series[Math.floor((hour.hour - first) / bucketMs)];
    if (hour.hour < first) continue;
    if (point === undefined) later += hour.entries - hour.exits;
    else {
      point.entries += hour.entries;
      point.exits += hour.exits;
    }
  }
  let size = input.size - later;
  for (let i = points - 1; i >= 0; i -= 1) {
    const point = series[i];
    if (point === undefined) continue;
    point.size = size;
    size -= point.entries - point.exits;
  }
  return series;
}

/** The start of the first bucket of a series (what to read the counts from). */
export function seriesStart(input: { now: number; bucketMs: number; points: number }): number {
  const last = Math.floor(input.now / input.bucketMs) * input.bucketMs;
  return last - (input.points - 1) * input.bucketMs;
}
