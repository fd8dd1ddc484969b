import type { KeySet, SigningKeySource } from './ports';

export interface KeyCacheOptions {
  /** How long a fetched key set is served without asking the source again. */
  readonly ttlMs: number;
  /**
   * Least time between two fetches of one project triggered by a token that did
   * not verify. Bounds what a flood of bad tokens costs in source calls.
   */
  readonly missRefreshIntervalMs: number;
  /**
   * How old a key set may be and still be served when the source fails. Past
   * this the failure reaches the caller. A revoked key stays accepted for at most
   * this long while the source is down.
   */
  readonly maxStalenessMs: number;
  /** Projects kept in memory; the least recently fetched is dropped first. */
  readonly maxProjects: number;
  readonly now?: () => number;
  /** Told when a stale key set is served because the source failed. */
  readonly onStaleServed?: (projectId: string, ageMs: number, error: unknown) => void;
}

interface Slot {
  keys: KeySet;
  fetchedAt: number;
  /** When a failed verification last caused a refetch. */
  missRefreshedAt?: number;
}

/**
 * An in-memory, per-instance cache of project signing keys in front of a
 * {@link SigningKeySource}. Concurrent misses for one project share one fetch.
 */
export class KeyCache {
  private readonly slots = new Map<string, Slot>();
  private readonly inflight = new Map<string, Promise<KeySet>>();
  private readonly now: () => number;

  constructor(
    private readonly source: SigningKeySource,
    private readonly options: KeyCacheOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The project's keys, from memory while fresh. */
  async keys(projectId: string): Promise<KeySet> {
    const slot = this.slots.get(projectId);
    if (slot && this.now() - slot.fetchedAt < this.options.ttlMs) return slot.keys;
    return this.fetch(projectId);
  }

  /**
   * Fetches the project's keys again after a token failed to verify, so a newly
   * created secret works at once, unless a failed verification already caused a
   * refetch within the miss-refresh interval. Returns `undefined` when no fetch
   * was made.
   */
  async refreshAfterMiss(projectId: string): Promise<KeySet | undefined> {
    const pending = this.inflight.get(projectId);
    if (pending) return pending;
    const slot = this.slots.get(projectId);
    const now = this.now();
    if (slot?.missRefreshedAt !== undefined && now - slot.missRefreshedAt < this.options.missRefreshIntervalMs) {
      return undefined;
    }
    if (slot) slot.missRefreshedAt = now;
    return this.fetch(projectId);
  }

  private fetch(projectId: string): Promise<KeySet> {
    const pending = this.inflight.get(projectId);
    if (pending) return pending;
    const promise = this.load(projectId).finally(() => this.inflight.delete(projectId));
    this.inflight.set(projectId, promise);
    return promise;
  }

  private async load(projectId: string): Promise<KeySet> {
    try {
      const keys = await this.source.loadKeys(projectId);
      // Re-inserted to mark it most recent; the miss-refresh stamp survives the refetch.
      const missRefreshedAt = this.slots.get(projectId)?.missRefreshedAt;
      this.slots.delete(projectId);
      this.slots.set(projectId, { keys, fetchedAt: this.now(), missRefreshedAt });
      if (this.slots.size > this.options.maxProjects) {
        const oldest = this.slots.keys().next().value;
        if (oldest !== undefined) this.slots.delete(oldest);
      }
      return keys;
    } catch (error) {
      const slot = this.slots.get(projectId);
      const age = slot ? this.now() - slot.fetchedAt : Infinity;
      if (slot && age <= this.options.maxStalenessMs) {
        this.options.onStaleServed?.(projectId, age, error);
        return slot.keys;
      }
      throw error;
    }
  }
}
