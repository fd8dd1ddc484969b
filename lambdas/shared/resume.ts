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

export const ID_RULE = 'must be 1 to 128 ASCII letters, digits, "_" or single "-" between them';
export const TOKEN_RULE = 'must be 64 hexadecimal characters';
export const EXPIRES_AT_RULE =
  'must be an RFC 3339 date-time on a real calendar date, e.g. 2025-01-01T00:00:00.000Z or 2025-01-01T01:00:00+01:00';

/** The parts of a resume request every contract has, under their own field names for error messages. */
interface ResumeFields {
  readonly ids: Readonly<Record<string, string>>;
  readonly token: string;
  readonly expiresField: string;
  readonly expires: string;
}

/**
 * Re-checks the grammar the JSON Schema already applied, plus what a schema cannot
 * express (a real calendar date). The domain never trusts its caller for this.
 * Returns the expiry instant.
 */
const checkGrammar = (fields: ResumeFields): number => {
  for (const [field, value] of Object.entries(fields.ids)) {
    if (!isValidId(value)) throw invalidField(field, ID_RULE);
  }
  if (!isValidToken(fields.token)) throw invalidField('token', TOKEN_RULE);
  const expiresAt = parseExpiresAt(fields.expires);
  if (expiresAt === undefined) throw invalidField(fields.expiresField, EXPIRES_AT_RULE);
  return expiresAt;
};

/** What one contract verifies a resume link against. */
interface ResumeTarget {
  /** Whose keys sign this link: a project id (current contract) or a flow id (legacy). */
  readonly keyScope: string;
  readonly entryId: string;
  readonly token: string;
  /** The expiry exactly as sent: it is part of the signed string. */
  readonly expires: string;
  readonly expiresAtMs: number;
  /** Whether an entry may be returned for this link. */
  readonly owns: (entry: StoredEntry) => boolean;
}

/**
 * The resume path, in the order that keeps it safe: token against every key of
 * the scope → expiry → entry read → ownership. A token that does not verify never
 * causes an entry read. Wrong owner, missing and retention-expired entries all
 * answer the same `entry_not_found`, so a link for one project or flow reveals
 * nothing about another's entries.
 */
const resumeVerified = async (target: ResumeTarget, deps: ResumeDeps): Promise<ResumeResult> => {
  const { keyScope, token, entryId, expires } = target;
  let credentialId = findSigningKey(await deps.keys.keys(keyScope), token, entryId, expires);
  if (credentialId === undefined) {
    const refreshed = await deps.keys.refreshAfterMiss(keyScope);
    if (refreshed) credentialId = findSigningKey(refreshed, token, entryId, expires);
  }
  if (credentialId === undefined) {
    throw new ApiError('invalid_token', 'The link is not valid: its token does not match. Ask for a new link.');
  }

  const now = deps.now();
  if (target.expiresAtMs <= now) {
    throw new ApiError('token_expired', 'The link has expired. Ask for a new link.');
  }

  const entry = await deps.entries.getEntry(entryId);
  if (!entry || !target.owns(entry) || (entry.retainUntil !== undefined && entry.retainUntil * 1000 <= now)) {
    throw new ApiError('entry_not_found', 'No saved entry matches this link.');
  }
  return { entry: toResumeEntry(entry), credentialId };
};

/** The current contract: verified with the project's Token Signing Secrets; the entry must be that project's and flow's. */
export const resumeEntry = async (req: LoadEntryRequest, deps: ResumeDeps): Promise<ResumeResult> => {
  const expiresAtMs = checkGrammar({
    ids: { flow_id: req.flow_id, project_id: req.project_id, entry_id: req.entry_id },
    token: req.token,
    expiresField: 'expires_at',
    expires: req.expires_at,
  });
  return resumeVerified(
    {
      keyScope: req.project_id,
      entryId: req.entry_id,
      token: req.token,
      expires: req.expires_at,
      expiresAtMs,
      owns: (e) => e.projectId === req.project_id && e.flowId === req.flow_id,
    },
    deps,
  );
};

/** The body of the legacy `load_entry_data` contract: `expires`, and no project id. */
export interface LegacyLoadEntryRequest {
  readonly flow_id: string;
  readonly entry_id: string;
  readonly token: string;
  readonly expires: string;
}

/** The legacy contract: verified with the flow's legacy key; the entry must be that flow's. */
export const resumeLegacyEntry = async (req: LegacyLoadEntryRequest, deps: ResumeDeps): Promise<ResumeResult> => {
  const expiresAtMs = checkGrammar({
    ids: { flow_id: req.flow_id, entry_id: req.entry_id },
    token: req.token,
    expiresField: 'expires',
    expires: req.expires,
  });
  return resumeVerified(
    { keyScope: req.flow_id, entryId: req.entry_id, token: req.token, expires: req.expires, expiresAtMs, owns: (e) => e.flowId === req.flow_id },
    deps,
  );
};
