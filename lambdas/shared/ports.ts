import type { SigningKey } from './token';

/**
 * Where a project's signing keys come from. Returns `[]` for a project that has
 * no secret, so an unknown project is indistinguishable from a wrong token.
 */
export interface SigningKeySource {
  loadKeys(projectId: string): Promise<readonly SigningKey[]>;
}

/** A saved entry: the progress of one user through one flow. */
export interface StoredEntry {
  readonly entryId: string;
  readonly projectId: string;
  readonly flowId: string;
  readonly currentPageKey: string;
  readonly userData: Record<string, unknown>;
  /** Retention deadline in epoch seconds (the table's TTL attribute), if any. */
  readonly retainUntil?: number;
  readonly createdAt?: string;
  readonly updatedAt?: string;
}

export interface EntryReader {
  getEntry(entryId: string): Promise<StoredEntry | undefined>;
}

export interface EntryStore extends EntryReader {
  /**
   * Creates or updates an entry. An entry id already saved under another project
   * or flow is a conflict and is left untouched.
   */
  saveEntry(entry: StoredEntry, now: Date): Promise<{ created: boolean; entry: StoredEntry } | 'conflict'>;
  /** Deletes the entry if it belongs to the project; false when there was none. */
  deleteEntry(entryId: string, projectId: string): Promise<boolean>;
}

/** A stored value with the version it was read at. */
export interface Versioned<T> {
  readonly value: T;
  readonly version: string;
}

/**
 * A document store with an optimistic compare-and-swap, for values several
 * writers may change at once (a project's credentials).
 */
export interface VersionedStore<T> {
  read(key: string): Promise<Versioned<T> | undefined>;
  /**
   * Writes `value` only if the stored version is still `expected` (`undefined`:
   * only if nothing is stored yet). Returns false when another writer got there
   * first; nothing is written then.
   */
  compareAndSwap(key: string, value: T, expected: string | undefined): Promise<boolean>;
}
