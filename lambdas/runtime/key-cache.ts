import { LookupLimitedError } from '../domain/errors';
import type { KeyProvider, KeySet, SigningKeySource } from '../domain/ports';
import { TokenBucket } from './token-bucket';

export interface KeyCacheOptions {
  /** How long a fetched key set (or a scope found to have none) is served without asking the source again. */
  readonly ttlMs: number;
  /**
   * Least time between two fetches of one known scope triggered by a token that
   * did not verify. Bounds what a flood of bad tokens costs in source calls.
   */
  readonly missRefreshIntervalMs: number;
  /**
   * How old a key set may be and still be served when the source fails. Past
   * this the failure reaches the caller. A revoked key stays accepted for at most
   * this long while the source is down.
   */
  readonly maxStalenessMs: number;
  /** Scopes with keys kept in memory; the least recently used is dropped first. */
  readonly maxKnownScopes: number;
  /**
   * Scopes found to have no keys, remembered for the TTL so that naming one again
   * costs no read; the oldest is dropped first. Kept apart from the known scopes,
   * so unknown ids can never evict a project whose keys verify.
   */
  readonly maxUnknownScopes: number;
  /**
   * Bound on fetches for scopes this instance holds nothing for (unknown ids, or
   * projects it has not seen yet): a token bucket. Past it, a lookup fails with
   * LookupLimitedError and the source is not called.
   */
  readonly lookups: { readonly ratePerSecond: number; readonly burst: number };
  readonly now?: () => number;
  /** Told when a stale key set is served because the source failed. */
  readonly onStaleServed?: (scope: string, ageMs: number, error: unknown) => void;
}

interface Slot {
  readonly keys: KeySet;
  readonly fetchedAt: number;
  /** When a failed verification last caused a refetch. */
  missRefreshedAt?: number;
}

/** Stores `slot` as the newest entry of `map`, dropping the oldest beyond `max`. */
const remember = (map: Map<string, Slot>, scope: string, slot: Slot, max: number): void => {
  map.delete(scope);
  map.set(scope, slot);
  if (map.size > max) map.delete(map.keys().next().value as string);
};

/**
 * An in-memory, per-instance cache of signing keys (a project's, or a legacy
 * flow's) in front of a {@link SigningKeySource}. Concurrent misses for one scope
 * share one fetch. What any caller can make it cost the source, per instance:
 * one fetch per known scope per TTL, plus one per miss-refresh interval while
 * tokens fail; one fetch per unknown scope per TTL; and, for scopes not in
 * memory, at most `burst + ratePerSecond × t` fetches in t seconds.
 */
export class KeyCache implements KeyProvider {
  private readonly known = new Map<string, Slot>();
  private readonly unknown = new Map<string, Slot>();
  private readonly inflight = new Map<string, Promise<KeySet>>();
  private readonly lookups: TokenBucket;
  private readonly now: () => number;

  constructor(
    private readonly source: SigningKeySource,
    private readonly options: KeyCacheOptions,
  ) {
    this.now = options.now ?? (() => Date.now());
    this.lookups = new TokenBucket(options.lookups.ratePerSecond, options.lookups.burst, this.now);
  }

  async lookup(scope: string): Promise<{ keySet: KeySet; fetched: boolean }> {
    const now = this.now();
    const known = this.known.get(scope);
    if (known && now - known.fetchedAt < this.options.ttlMs) {
      // Re-inserted: the known map drops its least recently used scope first.
      this.known.delete(scope);
      this.known.set(scope, known);
      return { keySet: known.keys, fetched: false };
    }
    const unknown = this.unknown.get(scope);
    if (unknown && now - unknown.fetchedAt < this.options.ttlMs) return { keySet: unknown.keys, fetched: false };
    const pending = this.inflight.get(scope);
    if (pending) return { keySet: await pending, fetched: true };
    // A known scope past its TTL is refreshed freely: there are at most maxKnownScopes of them per TTL.
    if (!known && !this.lookups.take()) throw new LookupLimitedError();
    return { keySet: await this.fetch(scope), fetched: true };
  }

  /** Drops what is held for the scope: the next lookup reads the source (a change made by this very process). */
  forget(scope: string): void {
    this.known.delete(scope);
    this.unknown.delete(scope);
  }

  async refreshAfterMiss(scope: string): Promise<KeySet | undefined> {
    const pending = this.inflight.get(scope);
    if (pending) return pending;
    // Unknown scopes wait for their TTL: at most one read per unknown id.
    const slot = this.known.get(scope);
    if (!slot) return undefined;
    const now = this.now();
    if (slot.missRefreshedAt !== undefined && now - slot.missRefreshedAt < this.options.missRefreshIntervalMs) return undefined;
    slot.missRefreshedAt = now;
    return this.fetch(scope);
  }

  private fetch(scope: string): Promise<KeySet> {
    const promise = this.load(scope).finally(() => this.inflight.delete(scope));
    this.inflight.set(scope, promise);
    return promise;
  }

  private async load(scope: string): Promise<KeySet> {
    try {
      const keys = await this.source.loadKeys(scope);
      const fetchedAt = this.now();
      if (keys.keys.length > 0) {
        this.unknown.delete(scope);
        // The miss-refresh stamp survives the refetch.
        remember(this.known, scope, { keys, fetchedAt, missRefreshedAt: this.known.get(scope)?.missRefreshedAt }, this.options.maxKnownScopes);
      } else {
        this.known.delete(scope);
        remember(this.unknown, scope, { keys, fetchedAt }, this.options.maxUnknownScopes);
      }
      return keys;
    } catch (error) {
      const slot = this.known.get(scope);
      const age = slot ? this.now() - slot.fetchedAt : Infinity;
      if (slot && age <= this.options.maxStalenessMs) {
        this.options.onStaleServed?.(scope, age, error);
        return slot.keys;
      }
      throw error;
    }
  }
}
