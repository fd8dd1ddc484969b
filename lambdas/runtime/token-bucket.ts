/**
 * A token bucket: at most `burst` takes at once, refilled at `ratePerSecond`.
 * Over any interval of t seconds it allows at most `burst + ratePerSecond × t`
 * takes. Per Lambda instance, in memory.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.tokens = burst;
    this.refilledAt = now();
  }

  /** Takes one token if there is one; false when the bucket is empty. */
  take(): boolean {
    const now = this.now();
    // A clock that steps back (the wall clock can) refills nothing rather than draining the bucket.
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.refilledAt) / 1000) * this.ratePerSecond);
    this.refilledAt = now;
    // The tolerance absorbs floating-point drift from many small refills.
    if (this.tokens < 1 - 1e-9) return false;
    this.tokens -= 1;
    return true;
  }
}
