import { randomBytes } from 'node:crypto';
import type { SigningKey } from './token';

/**
 * One Token Signing Secret ("credential") of a project, as stored in the
 * project's Secrets Manager secret. All of a project's credentials live in one
 * secret, so a single read serves verification.
 */
export interface CredentialRecord {
  readonly credential_id: string;
  readonly label: string;
  readonly environment: string;
  readonly created_at: string;
  readonly status: 'active';
  readonly secret: string;
}

/** The JSON document held in a project's secret. */
export interface ProjectSecretDocument {
  readonly schema_version: 1;
  readonly project_id: string;
  readonly credentials: readonly CredentialRecord[];
}

/** Thrown when a stored secret is not a document this version understands. */
export class CorruptSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptSecretError';
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isCredential = (value: unknown): value is CredentialRecord =>
  isRecord(value) &&
  typeof value.credential_id === 'string' &&
  typeof value.label === 'string' &&
  typeof value.environment === 'string' &&
  typeof value.created_at === 'string' &&
  value.status === 'active' &&
  typeof value.secret === 'string' &&
  value.secret.length > 0;

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
  return { schema_version: 1, project_id: parsed.project_id, credentials };
};

/** The keys of `doc` that verify tokens in a deployment of `environment`. */
export const signingKeysFor = (doc: ProjectSecretDocument, environment: string): SigningKey[] =>
  doc.credentials
    .filter((c) => c.environment === environment && c.status === 'active')
    .map((c) => ({ id: c.credential_id, secret: c.secret }));

/** A new secret value: 256 bits from the CSPRNG, base64url, with a recognisable prefix for secret scanners. */
export const generateSecretValue = (): string => `tss_${randomBytes(32).toString('base64url')}`;

/** A new credential id (not secret). */
export const generateCredentialId = (): string => `cred_${randomBytes(10).toString('hex')}`;
