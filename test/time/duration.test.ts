import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/time/duration.ts';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['15m', 900_000],
    ['12h', 43_200_000],
    ['30d', 2_592_000_000],
    ['2w', 1_209_600_000],
    ['1.5h', 5_400_000],
    [' 7d ', 604_800_000],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '30', 'd', '30 days', '30D', '-5m', '1y', '1h30m', '0s', '0.0001ms'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/is not a duration/);
  });

  it('says how to write one', () => {
    expect(() => parseDuration('30 days')).toThrow('like 30d, 12h, 15m, 90s, 2w or 500ms');
  });
});
