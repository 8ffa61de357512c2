/**
 * A token bucket per provider: at most `perSecond` sends start each second (bursts up to one
 * second's worth), so a burst of decisions queues behind the limit instead of failing at the
 * provider. `delay` says how long the next send must wait, and takes its token.
 */
export class RateLimiter {
  private readonly perSecond: number;
  private tokens: number;
  private updatedAt: number;

  constructor(perSecond: number, now: number) {
    this.perSecond = perSecond;
    this.tokens = perSecond;
    this.updatedAt = now;
  }

  /** Takes a token: 0 when one is free now, else the ms until it is (the token is then reserved). */
  delay(now: number): number {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.perSecond, this.tokens + (elapsed * this.perSecond) / 1_000);
    this.updatedAt = now;
    this.tokens -= 1;
    if (this.tokens >= 0) return 0;
    return Math.ceil((-this.tokens * 1_000) / this.perSecond);
  }
}
