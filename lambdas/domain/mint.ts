import { ApiError, invalidRequest } from './errors';
import { parseExpiresAt } from './grammar';
import { originAllowed } from './origin-policy';
import { expiresAtRule } from './resume';
import { computeToken, type SigningKey } from './token';
import { mintV2Token } from './token-v2';

export interface MintRequest {
  readonly project_id: string;
  readonly entry_id: string;
  /** Binds a v2 token to one flow (ignored by the seed's scheme, which cannot carry it). */
  readonly flow_id?: string;
  readonly expires_at?: string;
  readonly ttl_seconds?: number;
  readonly resume_url?: string;
}

export interface MintResult {
  readonly token: string;
  readonly entry_id: string;
  readonly expires_at: string;
  readonly url?: string;
  /** The credential that signed (its id, never its value). */
  readonly credential_id: string;
}

export interface MintPolicy {
  readonly now: number;
  /** Lifetime when the caller gives neither expires_at nor ttl_seconds. */
  readonly defaultTtlSeconds: number;
  /** Longest lifetime a link may have. */
  readonly maxLifetimeSeconds: number;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const LINK_PARAMS = ['token', 'entry_id', 'expires_at'] as const;

const days = (seconds: number): string => `${Math.round((seconds / 86400) * 100) / 100} days`;

/** The expiry string to sign: the caller's exactly as given, or now + ttl in ISO 8601 with milliseconds. */
export const resolveExpiry = (req: Pick<MintRequest, 'expires_at' | 'ttl_seconds'>, policy: MintPolicy): string => {
  if (req.expires_at !== undefined && req.ttl_seconds !== undefined) {
    throw invalidRequest('give expires_at or ttl_seconds, not both');
  }
  const maxMs = policy.maxLifetimeSeconds * 1000;
  if (req.expires_at !== undefined) {
    const at = parseExpiresAt(req.expires_at);
    if (at === undefined) throw invalidRequest(`expires_at ${expiresAtRule(req.expires_at)}`);
    if (at <= policy.now) throw invalidRequest('expires_at is in the past');
    if (at > policy.now + maxMs) {
      throw invalidRequest(`expires_at is beyond the maximum link lifetime of ${days(policy.maxLifetimeSeconds)}`);
    }
    return req.expires_at;
  }
  const ttl = req.ttl_seconds ?? policy.defaultTtlSeconds;
  if (!Number.isInteger(ttl) || ttl < 1) throw invalidRequest('ttl_seconds must be a whole number of seconds, at least 1');
  if (ttl > policy.maxLifetimeSeconds) {
    throw invalidRequest(`ttl_seconds is beyond the maximum link lifetime of ${days(policy.maxLifetimeSeconds)} (${policy.maxLifetimeSeconds} seconds)`);
  }
  return new Date(policy.now + ttl * 1000).toISOString();
};

/**
 * Adds `token`, `entry_id` and `expires_at` to the caller's resume URL as
 * URL-encoded query parameters (a `+01:00` offset becomes `%2B01%3A00`, so it
 * survives the trip). https only, except on loopback for local development.
 */
export const buildResumeUrl = (resumeUrl: string, params: Record<(typeof LINK_PARAMS)[number], string>): string => {
  let url: URL;
  try {
    url = new URL(resumeUrl);
  } catch {
    throw invalidRequest('resume_url must be an absolute URL');
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw invalidRequest('resume_url must use https (http is accepted on localhost only)');
  }
  if (url.username || url.password) throw invalidRequest('resume_url may not carry credentials');
  for (const name of LINK_PARAMS) url.searchParams.set(name, params[name]);
  return url.toString();
};

/**
 * Refuses a `resume_url` (checked as mint takes it: https, http on localhost
 * only) whose origin is not one of `origins`; a bare `*` names none. So no one
 * can have the product sign a link, or serve a short link, to another site.
 */
export const checkResumeUrlOrigin = (resumeUrl: string, origins: readonly string[]): void => {
  const url = new URL(buildResumeUrl(resumeUrl, { token: '', entry_id: '', expires_at: '' }));
  if (
    !originAllowed(
      url.origin,
      origins.filter((o) => o !== '*'),
    )
  ) {
    throw invalidRequest(`resume_url must be on one of the project's allowed origins, and ${url.origin} is not`);
  }
};

export const noActiveCredential = (): ApiError =>
  new ApiError('no_active_credential', 'The project has no active Token Signing Secret in this environment; create one first.');

/**
 * Signs a resume link with the newest key: the seed's formula for a `sha256`
 * credential, a v2 token (bound to project, flow if given, entry and expiry) for
 * an `hmac-sha256` one. Either way load-entry-data verifies it.
 */
export const mintLink = (req: MintRequest, key: SigningKey | undefined, policy: MintPolicy): MintResult => {
  if (!key) throw noActiveCredential();
  const expiresAt = resolveExpiry(req, policy);
  const token =
    key.algorithm === 'hmac-sha256'
      ? mintV2Token(key, { projectId: req.project_id, flowId: req.flow_id, entryId: req.entry_id, expiresAt })
      : computeToken(key.secret, req.entry_id, expiresAt);
  const link = { token, entry_id: req.entry_id, expires_at: expiresAt };
  return {
    ...link,
    ...(req.resume_url === undefined ? {} : { url: buildResumeUrl(req.resume_url, link) }),
    credential_id: key.id,
  };
};
