import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiError } from './errors';
import type { SigningKey } from './token';

/**
 * Save tokens authorise a page to save one entry from the browser (browser
 * saves): `s2.<gen>.<mac>`, where gen is the entry's save generation and mac =
 * base64url(HMAC-SHA256(save key, canonical string of project, flow, entry and
 * gen)). The save key is the deployment's own (one Secrets Manager secret),
 * never a project's Token Signing Secret, so rotating a project's credentials
 * never breaks saves; a forged token is refused by the MAC alone, with no read
 * of the entry.
 *
 * The generation is what makes a token end: the entry stores its current one
 * (`save_gen`), each save's conditional write requires it, and a person's
 * resume, a revoke-links or a re-creation of the entry replaces it, so every
 * token issued before answers 401 from then on (docs/security.md).
 *
 * Like v2 resume tokens, the MAC's 32 bytes take 43 base64url characters whose
 * last one has 2 unused bits: only the canonical spelling is accepted. The
 * generation's 12 bytes fill its 16 characters exactly.
 */
export const SAVE_TOKEN_PATTERN = '^s2\\.[A-Za-z0-9_-]{16}\\.[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$';
/**
 * The first format, `s1.<mac>` (no generation), issued before save tokens could
 * end. The routes' schemas still take it, so that a page holding one is told
 * 401 `invalid_save_token` (resume the entry to get a new one) rather than 400;
 * it never verifies.
 */
export const RETIRED_SAVE_TOKEN_PATTERN = '^s1\\.[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$';
/** What the routes' schemas take as `save_token`: a current token, or a retired one (refused 401 by the domain). */
export const SAVE_TOKEN_SCHEMA = {
  type: 'string',
  minLength: 46,
  maxLength: 63,
  pattern: `^(?:${SAVE_TOKEN_PATTERN.slice(1, -1)}|${RETIRED_SAVE_TOKEN_PATTERN.slice(1, -1)})$`,
} as const;

const saveTokenRegExp = new RegExp(SAVE_TOKEN_PATTERN);

/** What a save token is bound to. */
export interface SaveClaims {
  readonly projectId: string;
  readonly flowId: string;
  readonly entryId: string;
}

/** The claims and the entry's save generation a token is minted for. */
export interface SaveGrant extends SaveClaims {
  readonly gen: string;
}

/** A new save generation: 96 bits from the CSPRNG, 16 base64url characters. */
export const generateSaveGen = (): string => randomBytes(12).toString('base64url');

/** The generation a token of the current format names (not proof that it verifies), else undefined. */
export const saveGenOf = (token: string): string | undefined => (saveTokenRegExp.test(token) ? token.slice(3, 19) : undefined);

// Ids cannot contain a newline, and a generation is base64url, so the string parses one way only.
const canonical = (c: SaveGrant): string => ['session-recovery/save/v2', c.projectId, c.flowId, c.entryId, c.gen].join('\n');

const mac = (secret: string, grant: SaveGrant): Buffer => createHmac('sha256', secret).update(canonical(grant), 'utf8').digest();

export const mintSaveToken = (key: SigningKey, grant: SaveGrant): string => `s2.${grant.gen}.${mac(key.secret, grant).toString('base64url')}`;

/**
 * The save generation `token` names, when it is a save token for exactly these
 * claims under one of `keys` (the current save key, and the previous one during
 * a rotation); undefined otherwise, a retired `s1.` token included. Every key is
 * tried in constant time, with no early exit. Whether the generation is still
 * the entry's is for the write to check.
 */
export const verifySaveToken = (keys: readonly SigningKey[], token: string, claims: SaveClaims): string | undefined => {
  const gen = saveGenOf(token);
  if (gen === undefined) return undefined;
  const presented = Buffer.from(token.slice(20), 'base64url');
  let valid = false;
  for (const key of keys) {
    if (timingSafeEqual(mac(key.secret, { ...claims, gen }), presented)) valid = true;
  }
  return valid ? gen : undefined;
};

/** The answer to a save token that is not, or is no longer, the entry's: one for all, so a page cannot tell a forgery from an ended token. */
export const invalidSaveToken = (): ApiError =>
  new ApiError(
    'invalid_save_token',
    "This save token is not valid for this entry: it was ended (the entry was resumed on another device, or its links were revoked), or it is not this entry's.",
  );
