import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, retryDelay } from '../../src/activate/backoff.ts';

describe('retryDelay', () => {
  it.each([
    [1, 0, 2_500],
    [1, 0.999_999, 5_000],
    [3, 0, 10_000],
    [20, 0.5, 450_000],
  ])('after attempt %i with jitter %f waits %i ms', (attempt, random, expected) => {
    expect(retryDelay({ policy: DEFAULT_RETRY, attempt, random: () => random })).toBe(expected);
  });

  it("waits exactly the provider's Retry-After, shorter or longer than the back-off", () => {
    expect(retryDelay({ policy: DEFAULT_RETRY, attempt: 4, retryAfterMs: 1_000, random: () => 0.9 })).toBe(
      1_000,
    );
    expect(retryDelay({ policy: DEFAULT_RETRY, attempt: 1, retryAfterMs: 60_000 })).toBe(60_000);
  });

  it('spends about half an hour over the default attempts', () => {
    let total = 0;
    for (let attempt = 1; attempt < DEFAULT_RETRY.maxAttempts; attempt += 1)
      total += retryDelay({ policy: DEFAULT_RETRY, attempt, random: () => 0.999_999 });
    expect(total / 60_000).toBeGreaterThan(25);
    expect(total / 60_000).toBeLessThan(35);
  });
});
