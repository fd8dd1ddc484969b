import type { SigningKey } from './token';

/** What one read of a project's (or a legacy flow's) secret yields for verification. */
export interface KeySet {
  readonly keys: readonly SigningKey[];
  /** Web origins the project accepts calls from; undefined: the deployment's list applies. */
  readonly allowedOrigins?: readonly string[];
}

/**
 * Where signing keys come from. Returns no keys for a scope that has no secret,
 * so an unknown project is indistinguishable from a wrong token.
 */
export interface SigningKeySource {
  loadKeys(scope: string): Promise<KeySet>;
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
  /** Set by revoke-links: links issued before this instant no longer work (ISO 8601). */
  readonly linksValidAfter?: string;
  /** The `expires_at` of links minted through the product after the last revoke-links. */
  readonly linkAllowlist?: readonly string[];
}

export interface EntryReader {
  /**
   * True when `getEntry` may return a slightly stale item (an eventually
   * consistent read), unless asked for `{ consistent: true }`.
   */
  readonly mayReadStale: boolean;
  getEntry(entryId: string, options?: { readonly consistent?: boolean }): Promise<StoredEntry | undefined>;
}

export interface EntryStore extends EntryReader {
  /**
   * Creates or updates an entry. An entry id already saved under another project
   * or flow is a conflict and is left untouched.
   */
  saveEntry(entry: StoredEntry, now: Date): Promise<{ created: boolean; entry: StoredEntry } | 'conflict'>;
  /** Deletes the entry if it belongs to the project; false when there was none. */
  deleteEntry(entryId: string, projectId: string): Promise<boolean>;
  /** Invalidates every link issued so far for the entry; false when the project has no such entry. */
  revokeLinks(entryId: string, projectId: string, now: Date): Promise<boolean>;
}

/** What mint needs of the entries: recording links issued after a revoke-links. */
export interface LinkRegistry {
  /** Lets a link with this expiry work again, if the entry's links were revoked; otherwise does nothing. */
  allowLink(entryId: string, projectId: string, expiresAt: string): Promise<void>;
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
