import type { ResumePolicy, VerifyDigest } from './resume-policy';
import type { SigningKey } from './token';

/** What one read of a project's (or a legacy flow's) secret yields for verification. */
export interface KeySet {
  readonly keys: readonly SigningKey[];
  /** Web origins the project accepts calls from; undefined: the deployment's list applies. */
  readonly allowedOrigins?: readonly string[];
  /**
   * The project the keys belong to, when the scope is not the project itself: a
   * legacy flow's key is imported for exactly one project.
   */
  readonly projectId?: string;
  /** Whether the project lets pages save entries themselves (browser saves). */
  readonly browserSaves?: boolean;
  /** Countries (ISO 3166 alpha-2) whose numbers the project's link requests may text; none: no SMS. */
  readonly smsCountries?: readonly string[];
  /** The project's resume policies, by flow id (withheld fields, a verify field); read with its keys. */
  readonly resumePolicies?: Readonly<Record<string, ResumePolicy>>;
}

/** What a key source's scope is: a project, a legacy flow, or the deployment's one save-key secret. */
export type KeyScope = 'project_id' | 'flow_id' | 'secret';

/**
 * Where signing keys come from. Returns no keys for a scope that has no secret,
 * so an unknown project is indistinguishable from a wrong token.
 */
export interface SigningKeySource {
  /** What `loadKeys` takes, named as log lines name it (a stale-keys warning names the scope under this key). */
  readonly scope: KeyScope;
  loadKeys(scope: string): Promise<KeySet>;
}

/**
 * Keys as the resume path reads them: from memory when it can, from the source
 * when it must (KeyCache).
 */
export interface KeyProvider {
  /**
   * The scope's keys. `fetched` is true when this call read the source, so a
   * refetch after a failed verification would learn nothing new. Throws
   * LookupLimitedError when the source may not be asked now.
   */
  lookup(scope: string): Promise<{ readonly keySet: KeySet; readonly fetched: boolean }>;
  /**
   * Reads a known scope's keys again after a token failed to verify (a key may
   * have been created since), unless that was done within the miss-refresh
   * interval. Returns undefined when no read was made.
   */
  refreshAfterMiss(scope: string): Promise<KeySet | undefined>;
}

/**
 * The deployment's project ids (the project index): every project whose secret
 * the credentials Lambda has written since the index exists. One small read
 * tells a project that may have keys from an id no project has.
 */
export interface ProjectIndex {
  /** Every indexed id; an empty set when the index does not exist yet. */
  read(): Promise<ReadonlySet<string>>;
}

/** What the credentials Lambda does to the index before each write to a project's secret. */
export interface ProjectIndexWriter {
  /** Adds the id (idempotent). */
  add(projectId: string): Promise<void>;
}

/** An entry's current save generation, read strongly consistent: undefined when there is no entry. */
export interface SaveGenerations {
  current(entryId: string): Promise<string | undefined>;
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
  /** Digests (link-digest.ts) of the links minted through the product since the last revoke-links. */
  readonly allowedLinks?: readonly string[];
  /** What mint recorded of the entry's most recent links (at most MAX_LINK_RECORDS), by link digest. */
  readonly links?: Readonly<Record<string, LinkRecord>>;
  /**
   * The entry's save generation (browser saves): only save tokens naming it
   * work. Every creation makes a new one; a person's resume of a browser-saves
   * project's entry and a revoke-links replace it.
   */
  readonly saveGen?: string;
  /** The unexpired links pages asked for (link-requests), by link digest. */
  readonly pageLinks?: Readonly<Record<string, PageLinkRecord>>;
  /** The keyed digest of the flow's verify field's value, written with the entry by browser saves (resume-policy.ts). */
  readonly verifyDigest?: VerifyDigest;
  /** The number of the last browser save (0 after a creation or a resume's rotation); absent when no page saved it. */
  readonly seq?: number;
}

/**
 * How a write stores `userData` under a flow's withheld fields (resume-policy.ts
 * `splitWithheld`): the fields apart from `user_data`, so a save that does not
 * hold one keeps its stored value. Absent or empty: nothing is withheld.
 */
export interface WithheldStorage {
  readonly withheldFields?: readonly string[];
}

/**
 * A link minted through link-requests: single-use. It works only while the
 * entry's save generation is the one it was minted under, so the first
 * person's resume of the entry (which replaces the generation) ends it and
 * every page link minted before, the one used included.
 */
export interface PageLinkRecord {
  /** The entry's save generation when the link was minted. */
  readonly gen: string;
  /** The link's expiry, epoch seconds: an expired record is pruned at the next link request. */
  readonly expiresAt: number;
  /**
   * A hand-off link (handoff.ts): opened by a person scanning a code, never by
   * a mail scanner, so an automated client gets no data from it and every
   * answer with data uses it up. Kept on the entry by the link's digest, not in
   * the link, so the link's holder cannot take it off.
   */
  readonly handoff?: boolean;
}

/**
 * Most unexpired page links an entry records: past it, link-requests answers
 * 429 until one expires. The hourly limits keep a person far below it.
 */
export const MAX_PAGE_LINKS = 100;

/**
 * What mint records of a link on its entry, in the same write as the rest of
 * the link's state, so a resume learns it from the read it already makes.
 */
export interface LinkRecord {
  /** Epoch seconds the link was minted at. */
  readonly mintedAt: number;
  /** The campaign the link was sent in. */
  readonly campaign?: string;
}

/**
 * Links whose record an entry keeps: the most recent ones. An older link still
 * resumes, without attribution (no campaign, no age).
 */
export const MAX_LINK_RECORDS = 20;

export interface EntryReader {
  /**
   * True when `getEntry` may return a slightly stale item (an eventually
   * consistent read), unless asked for `{ consistent: true }`.
   */
  readonly mayReadStale: boolean;
  getEntry(entryId: string, options?: { readonly consistent?: boolean }): Promise<StoredEntry | undefined>;
}

/** Why a rotation was not written: the entry as it is now (undefined: gone), to be judged again. */
export interface RotationRefused {
  readonly current: StoredEntry | undefined;
}

/** What a person's resume of a browser-saves project's entry writes: the entry's next save generation. */
export interface SaveRotation {
  /**
   * In one conditional write: sets the entry's save generation to `nextGen`
   * and its save sequence to 0, only if the entry is still this project's and
   * flow's, its generation is still `seenGen` (undefined: it has none), and no
   * save changed it since it was read (`seenSave`: its `updatedAt` and `seq` as
   * read), so the entry the resume answers is the one it hands over.
   * Otherwise writes nothing and returns the entry as it is now.
   */
  rotateSaveGen(
    entryId: string,
    rotation: {
      readonly projectId: string;
      readonly flowId: string;
      readonly seenGen: string | undefined;
      readonly nextGen: string;
      readonly seenSave: Pick<StoredEntry, 'updatedAt' | 'seq'>;
      /**
       * The entry as read, stored again split by the flow's current withheld
       * fields in the same write: a field the flow started withholding
       * after it was saved moves out of `user_data` before the page that
       * resumed without it saves (docs/withheld-fields.md).
       */
      readonly resplit?: WithheldStorage & Pick<StoredEntry, 'userData'>;
    },
  ): Promise<'rotated' | RotationRefused>;
}

export interface EntryStore extends EntryReader {
  /**
   * Creates or updates an entry. An entry id already saved under another project
   * or flow is a conflict and is left untouched, as is another project's erased
   * entry; the project's own erased entry is created anew (`created`), keeping
   * the erasure's revocation state, so no link issued before the erasure opens it.
   */
  saveEntry(entry: StoredEntry, now: Date): Promise<{ created: boolean; entry: StoredEntry } | 'conflict'>;
  /**
   * Erases the entry if it belongs to the project: its data goes, and what
   * remains until `keepUntil` (epoch seconds) refuses every link issued so far;
   * every read then finds no entry. False when there was none.
   */
  deleteEntry(entryId: string, projectId: string, now: Date, keepUntil: number): Promise<boolean>;
  /**
   * Invalidates every link issued so far for the entry, and every save token
   * (a new save generation); false when the project has no such entry.
   */
  revokeLinks(entryId: string, projectId: string, now: Date): Promise<boolean>;
}

/** What browser saves write: a new entry, then progress numbered by the page. */
export interface EntrySaves {
  /**
   * Creates the entry, its save sequence at 0 and its save generation `saveGen`.
   * False when the id is already taken; nothing is written then.
   */
  createEntry(entry: StoredEntry & WithheldStorage & { readonly retainUntil: number; readonly saveGen: string }, now: Date): Promise<boolean>;
  /**
   * Writes progress numbered `seq` in one conditional write: only to an entry of
   * this project and flow whose save generation is `saveGen`, and only if its
   * last saved number is lower. 'missing' when there is no such entry (of this
   * project and flow); 'ended' when its generation is another (the token was
   * ended by a resume or a revoke-links); 'stale' when a save numbered `seq` or
   * later is stored; 'too_large' when the item would pass DynamoDB's 400 KB
   * (the withheld fields kept from earlier saves count too). Nothing is
   * written in any of these cases.
   */
  saveProgress(
    entryId: string,
    progress: {
      readonly projectId: string;
      readonly flowId: string;
      readonly seq: number;
      readonly saveGen: string;
      readonly currentPageKey: string;
      readonly userData: Record<string, unknown>;
      /** The flow's withheld fields: stored apart, and each one this save does not hold keeps its stored value. */
      readonly withheldFields: readonly string[];
      readonly retainUntil: number;
      /**
       * The verify field's digest for this user data; absent: none is stored (an
       * older one goes); 'keep': the field is withheld and this save does not
       * hold it, so its stored value, and the digest of it, stay.
       */
      readonly verifyDigest?: VerifyDigest | 'keep';
    },
    now: Date,
  ): Promise<'saved' | 'stale' | 'missing' | 'ended' | 'too_large'>;
}

/** Most links an entry's allow-list holds after a revoke-links, so the list cannot outgrow DynamoDB's item size. */
export const MAX_ALLOWED_LINKS = 1000;

/** Whose entry a link is minted for: the project, and the flow when the caller names one. */
export interface LinkOwner {
  readonly projectId: string;
  readonly flowId?: string;
}

/** What minting a link learnt of its entry. */
export interface LinkTarget {
  /** The entry's flow (a link's page posts it as flow_id). */
  readonly flowId: string;
  /** False when the link could not be recorded: the allow-list already holds MAX_ALLOWED_LINKS links. */
  readonly allowed: boolean;
  /**
   * For a page link, why it was not minted: the request's save generation is
   * no longer the entry's (`ended`), or the entry already records
   * MAX_PAGE_LINKS unexpired page links (`full`, with the soonest expiry).
   */
  readonly pageRefusal?: { readonly reason: 'ended' } | { readonly reason: 'full'; readonly freeAt: number };
}

/** One link mint asks to record. */
export interface LinkRequest {
  readonly entryId: string;
  readonly owner: LinkOwner;
  /** link-digest.ts of the link's token. */
  readonly digest: string;
  readonly record: LinkRecord;
  /** A link a page asked for (link-requests): recorded as a page link, and only under this save generation. */
  readonly page?: PageLinkRecord;
}

/** A link the store could not answer for: its entry's read failed after the store's retries. */
export const LINK_UNAVAILABLE = 'unavailable';

/** What mint needs of the entries: that the entry exists, and recording each link minted. */
export interface LinkRegistry {
  /**
   * Returns undefined, and records nothing, when `owner` has no such entry (none
   * at all, another project's or flow's, or one past its retention at `now`).
   * Otherwise records the link (its LinkRecord, dropping the entry's oldest
   * beyond MAX_LINK_RECORDS) and, if the entry's links were revoked, lets
   * exactly this link work, in one write. One strongly consistent read comes
   * first, so an entry saved or a revoke-links made a moment ago is seen.
   */
  allowLink(request: LinkRequest, now: Date): Promise<LinkTarget | undefined>;
  /**
   * `allowLink` for many links at once, answered in order: the entries are read
   * together (strongly consistent, each entry once however many links name it),
   * then each link is written. A link whose entry could not be read or written
   * is LINK_UNAVAILABLE, and the others are still answered.
   */
  allowLinks(requests: readonly LinkRequest[], now: Date): Promise<ReadonlyArray<LinkTarget | undefined | typeof LINK_UNAVAILABLE>>;
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
   * first; nothing is written then. True when the write is stored, also when
   * the answer to it was lost and a retry of it found it stored. `read` is what `read` returned that
   * `expected` is the version of (an adapter may keep its own bookkeeping on it).
   */
  compareAndSwap(key: string, value: T, expected: string | undefined, read?: Versioned<T>): Promise<boolean>;
}
