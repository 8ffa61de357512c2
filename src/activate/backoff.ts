/** How retries are spaced: exponential from `baseMs`, capped at `maxMs`, with jitter, up to `maxAttempts`. */
export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

/** Ten attempts: waits of 5 s doubling to a 10-minute cap, about half an hour in all (less with jitter). */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 10, baseMs: 5_000, maxMs: 10 * 60_000 };

/**
 * The wait before attempt `attempt + 1` after `attempt` attempts failed: `baseMs × 2^(attempt−1)`
 * capped at `maxMs`, scaled by a random factor in [0.5, 1) ("equal jitter") so a burst of failed
 * sends does not retry in lockstep. When the provider said when to come back (`Retry-After`,
 * a rate limit), that is the wait: it knows better than a guess.
 */
export function retryDelay(input: {
  policy: RetryPolicy;
  attempt: number;
  retryAfterMs?: number | undefined;
  random?: () => number;
}): number {
  const { policy, attempt } = input;
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exponential * (0.5 + 0.5 * (input.random ?? Math.random)());
  return input.retryAfterMs === undefined ? Math.round(jittered) : input.retryAfterMs;
}
