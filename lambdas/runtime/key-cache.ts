import { LookupLimitedError } from '../domain/errors';
import type { KeyProvider, KeySet, ProjectIndex, SigningKeySource } from '../domain/ports';
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
  /**
   * The deployment's project index (project scopes only). A scope it lists is
   * read even past the bound above, so a flood of other ids never holds up a
   * real project; the index is then read only once the bound is spent. When
   * the index is `complete` (every project of the deployment is in it), it is
   * read first, and a scope it does not list is not read at all: it has no
   * keys. Read once per TTL, and again at most once per miss-refresh interval
   * while scopes it does not list are asked for.
   */
  readonly index?: { readonly source: ProjectIndex; readonly complete: boolean };
  /** Told when the index could not be read (the bound then applies to every scope not in memory). */
  readonly onIndexUnread?: (error: unknown) => void;
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

const NO_KEYS: KeySet = { keys: [] };

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
 * memory and not in the project index, at most `burst + ratePerSecond × t`
 * fetches in t seconds (none at all with a complete index, once it is read).
 */
export class KeyCache implements KeyProvider {
  private readonly known = new Map<string, Slot>();
  private readonly unknown = new Map<string, Slot>();
  private readonly inflight = new Map<string, Promise<KeySet>>();
  private readonly lookups: TokenBucket;
  private readonly now: () => number;
  /** The project index as last read; undefined until a read succeeds. Ids are only ever added to it. */
  private indexIds?: ReadonlySet<string>;
  private indexReadAt = -Infinity;
  private indexTriedAt = -Infinity;
  private indexInflight?: Promise<void>;

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
    if (known) return { keySet: await this.fetch(scope), fetched: true };
    const index = this.options.index;
    if (!index?.complete) {
      if (this.lookups.take()) return { keySet: await this.fetch(scope), fetched: true };
      // The bound is spent: a project the index lists is still read (the index is read only now, so unflooded instances never read it).
      if (index && (await this.listed(scope))) return { keySet: await this.joinOrFetch(scope), fetched: true };
      throw new LookupLimitedError();
    }
    if (this.indexIds === undefined && this.lookups.take()) {
      // A new instance reads the secret beside the index, within the bound: its first request waits for one round trip, not two.
      const [keySet] = await Promise.all([this.fetch(scope), this.listed(scope)]);
      return { keySet, fetched: true };
    }
    const listed = await this.listed(scope);
    if (listed) return { keySet: await this.joinOrFetch(scope), fetched: true };
    // No index could be read: the bound applies as without one.
    if (listed === undefined) {
      if (!this.lookups.take()) throw new LookupLimitedError();
      return { keySet: await this.joinOrFetch(scope), fetched: true };
    }
    return { keySet: NO_KEYS, fetched: true };
  }

  /** The fetch of `scope` already under way (another request started it while this one read the index), or a new one. */
  private joinOrFetch(scope: string): Promise<KeySet> {
    return this.inflight.get(scope) ?? this.fetch(scope);
  }

  /**
   * Whether the project index lists `scope`: read when older than the TTL, and
   * read again for a scope it does not list, at most once per miss-refresh
   * interval. Undefined while no read of it has succeeded.
   */
  private async listed(scope: string): Promise<boolean | undefined> {
    if (this.indexInflight) await this.indexInflight;
    const sinceTried = () => this.now() - this.indexTriedAt;
    const missInterval = this.options.missRefreshIntervalMs;
    const stale = this.indexIds === undefined || this.now() - this.indexReadAt >= this.options.ttlMs;
    if (stale && sinceTried() >= missInterval) await this.readIndex();
    if (this.indexIds === undefined || this.indexIds.has(scope)) return this.indexIds?.has(scope);
    // A project added since the last read: read again, at most once per interval however many ids are asked for.
    if (sinceTried() >= missInterval) await this.readIndex();
    return this.indexIds.has(scope);
  }

  private readIndex(): Promise<void> {
    this.indexInflight ??= (async () => {
      this.indexTriedAt = this.now();
      try {
        this.indexIds = await (this.options.index as NonNullable<KeyCacheOptions['index']>).source.read();
        this.indexReadAt = this.now();
      } catch (error) {
        // An older copy, if any, stays: the index only grows, so it lists fewer projects, never wrong ones.
        this.options.onIndexUnread?.(error);
      }
    })().finally(() => {
      this.indexInflight = undefined;
    });
    return this.indexInflight;
  }

  /** Drops what is held for the scope: the next lookup reads the source (a change made by this very process). */
  forget(scope: string): void {
    this.known.delete(scope);
    this.unknown.delete(scope);
  }

  /** Drops every scope whose keys belong to the project (legacy flows, whose key sets name their project). */
  forgetProject(projectId: string): void {
    for (const [scope, slot] of this.known) if (slot.keys.projectId === projectId) this.known.delete(scope);
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
