import { describe, expect, it } from 'vitest';
import { segmentSeries, seriesStart } from '../../src/engine/segment-series.ts';

const H = 3_600_000;
const DAY = 24 * H;
const NOW = Date.parse('2026-06-01T12:30:00Z');
const hour = (offset: number, entries: number, exits: number) => ({
  workspaceId: 'shop',
  segment: 'vip',
  hour: Math.floor(NOW / H) * H + offset * H,
  entries,
  exits,
});

describe('segmentSeries', () => {
  it.each([
    {
      name: 'nothing moved: the size now all along',
      size: 7,
      hours: [],
      expected: [7, 7, 7, 7],
    },
    {
      name: 'sizes worked back from now through entries and exits',
      size: 5,
      hours: [hour(-3, 2, 0), hour(-1, 4, 1), hour(0, 1, 2)],
      expected: [3, 3, 6, 5],
    },
    {
      name: 'future-dated hours count in the size now, not in any bucket',
      size: 10,
      hours: [hour(0, 1, 0), hour(5, 3, 0)],
      expected: [6, 6, 6, 7],
    },
  ])('$name', ({ size, hours, expected }) => {
    const series = segmentSeries({ size, hours, now: NOW, bucketMs: H, points: 4 });
    expect(series.map((point) => point.size)).toEqual(expected);
    expect(series.at(-1)?.at).toBe(Date.parse('2026-06-01T12:00:00Z'));
    expect(series[0]?.at).toBe(Date.parse('2026-06-01T09:00:00Z'));
  });

  it('adds hours up into UTC days', () => {
    const hours = [hour(-60, 3, 0), hour(-13, 1, 1), hour(-12, 2, 0), hour(-1, 0, 4)];
    const series = segmentSeries({ size: 20, hours, now: NOW, bucketMs: DAY, points: 3 });
    expect(
      series.map(({ at, entries, exits, size }) => [new Date(at).toISOString(), entries, exits, size]),
    ).toEqual([
      ['2026-05-30T00:00:00.000Z', 3, 0, 22],
      ['2026-05-31T00:00:00.000Z', 1, 1, 22],
      ['2026-06-01T00:00:00.000Z', 2, 4, 20],
    ]);
    expect(seriesStart({ now: NOW, bucketMs: DAY, points: 3 })).toBe(Date.parse('2026-05-30T00:00:00Z'));
  });
});
