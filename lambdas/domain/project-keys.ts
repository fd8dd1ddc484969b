import { randomBytes } from 'node:crypto';
import { ApiError } from './errors';
import { isValidField, MAX_POLICY_FLOWS, MAX_WITHHELD_FIELDS, type ResumePolicy } from './resume-policy';
import type { SigningKey, TokenAlgorithm } from './token';

/** What the API shows of a credential: never its value. */
export interface CredentialMetadata {
  readonly credential_id: string;
  readonly label: string;
  readonly environment: string;
  readonly created_at: string;
  readonly status: 'active' | 'revoked';
  readonly revoked_at?: string;
  /** Absent in documents written before v2 tokens existed: 'sha256'. */
  readonly algorithm?: TokenAlgorithm;
  /**
   * A sending provider that signs links itself (e.g. `braze`, in its templates):
   * its credential verifies, but mint never signs with it, and replacing it or
   * the service's own credentials leaves the other kind alone. Absent: the
   * service's own credential, which mint signs with.
   */
  readonly provider?: string;
}

/**
 * One Token Signing Secret ("credential") of a project, as stored in the
 * project's Secrets Manager secret. All of a project's credentials live in one
 * secret, so a single read serves verification. A revoked credential keeps its
 * metadata (for the list) but loses its value.
 */
export type ActiveCredential = CredentialMetadata & { readonly status: 'active'; readonly secret: string };
export type RevokedCredential = CredentialMetadata & { readonly status: 'revoked'; readonly revoked_at: string };
export type CredentialRecord = ActiveCredential | RevokedCredential;

/** The JSON document held in a project's secret. */
export interface ProjectSecretDocument {
  readonly schema_version: 1;
  readonly project_id: string;
  readonly credentials: readonly CredentialRecord[];
  /** Web origins allowed to call load-entry-data for this project; absent: the deployment's list. */
  readonly allowed_origins?: readonly string[];
  /** Whether pages may save entries themselves (browser-saves routes); absent: no. */
  readonly browser_saves?: boolean;
  /** Countries (ISO 3166 alpha-2) whose numbers link requests may text; absent or empty: no SMS. */
  readonly sms_countries?: readonly string[];
  /** Per flow id, what a resume withholds and asks the person to confirm (resume-policy.ts); absent: nothing. */
  readonly resume_policies?: Readonly<Record<string, ResumePolicy>>;
  /**
   * The environment whose admin API may change the settings above (origins,
   * browser saves, SMS countries): the one that created the document. Absent
   * in documents written before it existed: the environment of their first
   * credential, or, with none, the next environment to write.
   */
  readonly environment?: string;
}

/** Most active credentials a project may hold at once (a secret holds at most 64 KB). */
export const MAX_ACTIVE_CREDENTIALS = 20;
/** Revoked credentials whose metadata is kept; older ones are forgotten. */
export const MAX_REVOKED_KEPT = 50;

/** Thrown when a stored secret is not a document this version understands. */
export class CorruptSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptSecretError';
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const isCredential = (value: unknown): value is CredentialRecord => {
  if (!isRecord(value)) return false;
  const common =
    typeof value.credential_id === 'string' &&
    typeof value.label === 'string' &&
    typeof value.environment === 'string' &&
    typeof value.created_at === 'string' &&
    (value.algorithm === undefined || value.algorithm === 'sha256' || value.algorithm === 'hmac-sha256') &&
    (value.provider === undefined || typeof value.provider === 'string');
  if (!common) return false;
  if (value.status === 'active') return typeof value.secret === 'string' && value.secret.length > 0;
  return value.status === 'revoked' && typeof value.revoked_at === 'string' && !('secret' in value);
};

/** Parses a project secret's `SecretString`. The error never quotes the text (it holds keys). */
export const parseProjectSecret = (text: string): ProjectSecretDocument => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CorruptSecretError('project secret is not JSON');
  }
  if (!isRecord(parsed) || parsed.schema_version !== 1 || typeof parsed.project_id !== 'string') {
    throw new CorruptSecretError('project secret has no schema_version 1 header');
  }
  const credentials = parsed.credentials;
  if (!Array.isArray(credentials) || !credentials.every(isCredential)) {
    throw new CorruptSecretError('project secret has a malformed credentials list');
  }
  const origins = parsed.allowed_origins;
  if (origins !== undefined && !(Array.isArray(origins) && origins.every((o) => typeof o === 'string'))) {
    throw new CorruptSecretError('project secret has a malformed allowed_origins list');
  }
  const browserSaves = parsed.browser_saves;
  if (browserSaves !== undefined && typeof browserSaves !== 'boolean') {
    throw new CorruptSecretError('project secret has a malformed browser_saves flag');
  }
  const owner = parsed.environment;
  if (owner !== undefined && typeof owner !== 'string') throw new CorruptSecretError('project secret has a malformed environment');
  const smsCountries = parsed.sms_countries;
  if (smsCountries !== undefined && !(Array.isArray(smsCountries) && smsCountries.every((c) => typeof c === 'string'))) {
    throw new CorruptSecretError('project secret has a malformed sms_countries list');
  }
  const policies = parsed.resume_policies;
  if (policies !== undefined && !(isRecord(policies) && Object.values(policies).every(isResumePolicy))) {
    throw new CorruptSecretError('project secret has a malformed resume_policies map');
  }
  return {
    schema_version: 1,
    project_id: parsed.project_id,
    credentials,
    ...(origins === undefined ? {} : { allowed_origins: origins as string[] }),
    ...(browserSaves === undefined ? {} : { browser_saves: browserSaves }),
    ...(smsCountries === undefined ? {} : { sms_countries: smsCountries as string[] }),
    ...(owner === undefined ? {} : { environment: owner }),
    ...(policies === undefined ? {} : { resume_policies: policies as Record<string, ResumePolicy> }),
  };
};

const isResumePolicy = (value: unknown): value is ResumePolicy =>
  isRecord(value) &&
  Array.isArray(value.withheld_fields) &&
  value.withheld_fields.every((f) => typeof f === 'string' && isValidField(f)) &&
  (value.verify_field === undefined || (typeof value.verify_field === 'string' && isValidField(value.verify_field)));

/** The environment that may change a project's settings (ProjectSecretDocument.environment). */
export const settingsOwnerOf = (doc: ProjectSecretDocument | undefined): string | undefined => doc?.environment ?? doc?.credentials[0]?.environment;

/**
 * Refuses (409) a change of a project's settings from another environment's
 * admin API: two environments sharing a secret prefix share a project's
 * secret, and each keeps its own credentials in it, but its origins and
 * browser saves belong to the environment that created it.
 */
const assertSettingsOwner = (doc: ProjectSecretDocument | undefined, environment: string): void => {
  const owner = settingsOwnerOf(doc);
  if (owner !== undefined && owner !== environment) {
    throw new ApiError(
      'conflict',
      `The project's origins and browser saves belong to its "${owner}" environment, which shares this deployment's secrets; change them in that environment's deployment.`,
    );
  }
};

/** A new document of `projectId`, owned by `environment`. */
const emptyDocument = (projectId: string, environment: string): ProjectSecretDocument => ({
  schema_version: 1,
  project_id: projectId,
  credentials: [],
  environment,
});

const activeIn = (doc: ProjectSecretDocument, environment: string): ActiveCredential[] =>
  doc.credentials.filter((c): c is ActiveCredential => c.status === 'active' && c.environment === environment);

/** The keys of `doc` that verify tokens in a deployment of `environment`. */
export const signingKeysFor = (doc: ProjectSecretDocument, environment: string): SigningKey[] =>
  activeIn(doc, environment).map((c) => ({ id: c.credential_id, secret: c.secret, algorithm: c.algorithm ?? 'sha256' }));

/** The newest active key of `environment` that is the service's own (no provider's), which mint signs with. */
export const newestSigningKey = (doc: ProjectSecretDocument, environment: string): SigningKey | undefined => {
  const newest = activeIn(doc, environment)
    .filter((c) => c.provider === undefined)
    .reduce<ActiveCredential | undefined>((best, c) => (best === undefined || c.created_at >= best.created_at ? c : best), undefined);
  return newest && { id: newest.credential_id, secret: newest.secret, algorithm: newest.algorithm ?? 'sha256' };
};

/** What minting needs of a project: the key it signs with, and its own origins (links open only there). */
export interface MintProject {
  readonly key?: SigningKey;
  readonly allowedOrigins?: readonly string[];
}

/** The project as mint reads it from its document (undefined: the project has no secret). */
export const mintProjectOf = (doc: ProjectSecretDocument | undefined, environment: string): MintProject | undefined =>
  doc && { key: newestSigningKey(doc, environment), allowedOrigins: doc.allowed_origins };

/** A credential without its value. */
export const metadataOf = (c: CredentialRecord): CredentialMetadata => {
  const { credential_id, label, environment, created_at, status } = c;
  const algorithm = c.algorithm ?? 'sha256';
  const provider = c.provider === undefined ? {} : { provider: c.provider };
  return c.status === 'revoked'
    ? { credential_id, label, environment, created_at, status, revoked_at: c.revoked_at, algorithm, ...provider }
    : { credential_id, label, environment, created_at, status, algorithm, ...provider };
};

/** A new secret value: 256 bits from the CSPRNG, base64url, with a recognisable prefix for secret scanners. */
export const generateSecretValue = (): string => `tss_${randomBytes(32).toString('base64url')}`;

/** A new credential id (not secret). */
export const generateCredentialId = (): string => `cred_${randomBytes(10).toString('hex')}`;

export const CREDENTIAL_ID_PATTERN = '^cred_[0-9a-f]{20}$';

const revoke = (c: CredentialRecord, at: string): CredentialRecord => (c.status === 'revoked' ? c : { ...metadataOf(c), status: 'revoked', revoked_at: at });

/** Keeps only the newest revoked records, so the document cannot grow without bound. */
const pruneRevoked = (credentials: CredentialRecord[]): CredentialRecord[] => {
  const revoked = credentials.filter((c): c is RevokedCredential => c.status === 'revoked');
  if (revoked.length <= MAX_REVOKED_KEPT) return credentials;
  const drop = new Set<CredentialRecord>(revoked.sort((a, b) => a.revoked_at.localeCompare(b.revoked_at)).slice(0, revoked.length - MAX_REVOKED_KEPT));
  return credentials.filter((c) => !drop.has(c));
};

export interface NewCredential {
  readonly label: string;
  readonly environment: string;
  /** Revoke the project's other active credentials of that environment. */
  readonly replace: boolean;
  readonly now: Date;
  /** @default 'sha256' (the seed's scheme) */
  readonly algorithm?: TokenAlgorithm;
  /** A sending provider's credential (CredentialMetadata.provider); absent: the service's own. */
  readonly provider?: string;
}

/** Adds a credential to a project's document (creating the document on first use). */
export const addCredential = (
  projectId: string,
  doc: ProjectSecretDocument | undefined,
  input: NewCredential,
): { doc: ProjectSecretDocument; credential: ActiveCredential; revoked: string[] } => {
  const at = input.now.toISOString();
  const existing = doc?.credentials ?? [];
  // What `replace` revokes: the environment's active credentials of the same kind, the service's own or the same
  // provider's (revoked ones stay as they are), so rotating one never breaks the links the other signs.
  const replaced = (c: CredentialRecord) => input.replace && c.environment === input.environment && c.provider === input.provider;
  const revoked = existing.filter((c) => replaced(c) && c.status === 'active').map((c) => c.credential_id);
  const kept = existing.map((c) => (replaced(c) ? revoke(c, at) : c));
  if (kept.filter((c) => c.status === 'active').length >= MAX_ACTIVE_CREDENTIALS) {
    throw new ApiError('conflict', `The project already has ${MAX_ACTIVE_CREDENTIALS} active credentials; revoke one or create with replace: true.`);
  }
  const credential = {
    credential_id: generateCredentialId(),
    label: input.label,
    environment: input.environment,
    created_at: at,
    status: 'active' as const,
    secret: generateSecretValue(),
    algorithm: input.algorithm ?? 'sha256',
    ...(input.provider === undefined ? {} : { provider: input.provider }),
  };
  return {
    doc: { ...(doc ?? emptyDocument(projectId, input.environment)), credentials: pruneRevoked([...kept, credential]) },
    credential,
    revoked,
  };
};

/**
 * Revokes one of `environment`'s credentials. Revoking a revoked one is a
 * no-op; an unknown id, or another environment's credential, is 404.
 */
export const revokeCredential = (doc: ProjectSecretDocument | undefined, credentialId: string, now: Date, environment: string): ProjectSecretDocument => {
  if (!doc?.credentials.some((c) => c.credential_id === credentialId && c.environment === environment)) {
    throw new ApiError('not_found', `No credential ${credentialId} in this project.`);
  }
  const at = now.toISOString();
  return {
    ...doc,
    credentials: pruneRevoked(doc.credentials.map((c) => (c.credential_id === credentialId ? revoke(c, at) : c))),
  };
};

/** Most origins a project may list. */
export const MAX_ALLOWED_ORIGINS = 50;

/**
 * A list that names its origins: no bare `*`. Browser saves need one, because a
 * page's origin is the only thing standing between another site and the
 * project's save routes.
 */
export const namesItsOrigins = (origins: readonly string[] | undefined): origins is readonly string[] =>
  origins !== undefined && origins.length > 0 && !origins.includes('*');

const ORIGINS_FOR_SAVES = 'Browser saves need the project\'s own allowed origins, without a bare "*"';

/**
 * Sets (or, with undefined, clears) the project's own allowed origins, creating
 * the document if needed. While browser saves are on, the list must keep naming
 * its origins.
 */
export const setAllowedOrigins = (
  projectId: string,
  doc: ProjectSecretDocument | undefined,
  origins: readonly string[] | undefined,
  environment: string,
): ProjectSecretDocument => {
  assertSettingsOwner(doc, environment);
  const normalised = origins && [...new Set(origins.map((o) => o.toLowerCase()))];
  if (doc?.browser_saves && !namesItsOrigins(normalised)) {
    throw new ApiError('origins_required', `${ORIGINS_FOR_SAVES}: turn browser saves off before clearing the list or allowing "*".`);
  }
  const { allowed_origins: _previous, ...rest } = doc ?? emptyDocument(projectId, environment);
  return normalised === undefined ? rest : { ...rest, allowed_origins: normalised };
};

/**
 * Turns browser saves on or off; on only for a project that names its own
 * allowed origins. `smsCountries` replaces the countries link requests may
 * text (none when absent or empty: a PUT states the whole setting).
 */
export const setBrowserSaves = (
  projectId: string,
  doc: ProjectSecretDocument | undefined,
  enabled: boolean,
  smsCountries: readonly string[],
  environment: string,
): ProjectSecretDocument => {
  assertSettingsOwner(doc, environment);
  if (enabled && !namesItsOrigins(doc?.allowed_origins)) {
    throw new ApiError('origins_required', `${ORIGINS_FOR_SAVES}: set them first (PUT /allowed-origins).`);
  }
  const { browser_saves: _previous, sms_countries: _countries, ...rest } = doc ?? emptyDocument(projectId, environment);
  const countries = [...new Set(smsCountries)].sort();
  return { ...rest, ...(enabled ? { browser_saves: true } : {}), ...(countries.length > 0 ? { sms_countries: countries } : {}) };
};

/** A flow's resume policy as the API shows it: nothing withheld and no verify field when it has none. */
export const resumePolicyOf = (doc: ProjectSecretDocument | undefined, flowId: string): { withheld_fields: readonly string[]; verify_field: string | null } => {
  const policy = doc?.resume_policies && Object.prototype.hasOwnProperty.call(doc.resume_policies, flowId) ? doc.resume_policies[flowId] : undefined;
  return { withheld_fields: policy?.withheld_fields ?? [], verify_field: policy?.verify_field ?? null };
};

/**
 * Sets a flow's resume policy; an empty one (nothing withheld, no verify
 * field) clears it. Fields are validated by the route's schema and again here;
 * duplicates are dropped. At most MAX_POLICY_FLOWS flows of a project have one.
 */
export const setResumePolicy = (
  projectId: string,
  doc: ProjectSecretDocument | undefined,
  flowId: string,
  policy: ResumePolicy,
  environment: string,
): ProjectSecretDocument => {
  assertSettingsOwner(doc, environment);
  const withheld = [...new Set(policy.withheld_fields)];
  const bad = [...withheld, ...(policy.verify_field === undefined ? [] : [policy.verify_field])].filter((f) => !isValidField(f));
  if (bad.length > 0 || withheld.length > MAX_WITHHELD_FIELDS) {
    throw new ApiError(
      'invalid_request',
      `Invalid request: withheld_fields must list at most ${MAX_WITHHELD_FIELDS} fields, and each field must be a top-level name or a JSON Pointer.`,
    );
  }
  const { resume_policies: previous, ...rest } = doc ?? emptyDocument(projectId, environment);
  const others = Object.fromEntries(Object.entries(previous ?? {}).filter(([flow]) => flow !== flowId));
  const empty = withheld.length === 0 && policy.verify_field === undefined;
  if (!empty && Object.keys(others).length >= MAX_POLICY_FLOWS) {
    throw new ApiError('conflict', `The project already has resume policies for ${MAX_POLICY_FLOWS} flows; clear one first.`);
  }
  const next = empty
    ? others
    : { ...others, [flowId]: { withheld_fields: withheld, ...(policy.verify_field === undefined ? {} : { verify_field: policy.verify_field }) } };
  return Object.keys(next).length === 0 ? rest : { ...rest, resume_policies: next };
};
