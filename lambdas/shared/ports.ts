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
}

export interface EntryReader {
  getEntry(entryId: string): Promise<StoredEntry | undefined>;
}
