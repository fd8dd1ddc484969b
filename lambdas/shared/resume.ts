import { ApiError } from './errors';
import { isValidId, isValidToken, parseExpiresAt } from './grammar';
import type { KeyCache } from './key-cache';
import type { EntryReader, StoredEntry } from './ports';
import { findSigningKey } from './token';

/** The body of `POST /v1/load-entry-data`, after schema validation. */
export interface LoadEntryRequest {
  readonly flow_id: string;
  readonly project_id: string;
  readonly entry_id: string;
  readonly token: string;
  readonly expires_at: string;
}

/** What the browser receives as `data.entry`: the user data plus the two fields the seed's client reads. */
export type ResumeEntry = Record<string, unknown> & { entry_id: string; current_page_key: string };

export interface ResumeResult {
  readonly entry: ResumeEntry;
  /** Id of the credential that signed the link (for logs and metrics; never its value). */
  readonly credentialId: string;
}

export interface ResumeDeps {
  readonly keys: KeyCache;
  readonly entries: EntryReader;
  readonly now: () => number;
}

/** Builds the response entry. The contract's own fields win over user data of the same name. */
export const toResumeEntry = (entry: StoredEntry): ResumeEntry => ({
  ...entry.userData,
  entry_id: entry.entryId,
  current_page_key: entry.currentPageKey,
});

const invalidField = (field: string, rule: string) => new ApiError('invalid_request', `${field} ${rule}`);

/**
 * Re-checks the grammar the JSON Schema already applied, plus what a schema cannot
 * express (a real calendar date). The domain never trusts its caller for this.
 */
export const parseLoadEntryRequest = (req: LoadEntryRequest): number => {
  for (const field of ['flow_id', 'project_id', 'entry_id'] as const) {
    if (!isValidId(req[field])) throw invalidField(field, ID_RULE);
  }
  if (!isValidToken(req.token)) throw invalidField('token', TOKEN_RULE);
  const expiresAt = parseExpiresAt(req.expires_at);
  if (expiresAt === undefined) throw invalidField('expires_at', EXPIRES_AT_RULE);
  return expiresAt;
};

export const ID_RULE = 'must be 1 to 128 ASCII letters, digits, "_" or single "-" between them';
export const TOKEN_RULE = 'must be 64 hexadecimal characters';
export const EXPIRES_AT_RULE =
  'must be an RFC 3339 date-time on a real calendar date, e.g. 2025-01-01T00:00:00.000Z or 2025-01-01T01:00:00+01:00';

/**
 * The resume path, in the order that keeps it safe: grammar → token against every
 * active key of the project → expiry → entry read → ownership. A token that does
 * not verify never causes an entry read. Wrong project, wrong flow, missing and
 * retention-expired entries all answer the same `entry_not_found`, so a link for
 * one project reveals nothing about another's entries.
 */
export const resumeEntry = async (req: LoadEntryRequest, deps: ResumeDeps): Promise<ResumeResult> => {
  const expiresAtMs = parseLoadEntryRequest(req);

  let credentialId = findSigningKey(await deps.keys.keys(req.project_id), req.token, req.entry_id, req.expires_at);
  if (credentialId === undefined) {
    const refreshed = await deps.keys.refreshAfterMiss(req.project_id);
    if (refreshed) credentialId = findSigningKey(refreshed, req.token, req.entry_id, req.expires_at);
  }
  if (credentialId === undefined) {
    throw new ApiError('invalid_token', 'The link is not valid: its token does not match. Ask for a new link.');
  }

  const now = deps.now();
  if (expiresAtMs <= now) {
    throw new ApiError('token_expired', 'The link has expired. Ask for a new link.');
  }

  const entry = await deps.entries.getEntry(req.entry_id);
  if (
    !entry ||
    entry.projectId !== req.project_id ||
    entry.flowId !== req.flow_id ||
    (entry.retainUntil !== undefined && entry.retainUntil * 1000 <= now)
  ) {
    throw new ApiError('entry_not_found', 'No saved entry matches this link.');
  }
  return { entry: toResumeEntry(entry), credentialId };
};
