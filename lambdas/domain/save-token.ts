import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SigningKey } from './token';

/**
 * Save tokens authorise a page to save one entry from the browser (browser
 * saves): `s1.<mac>`, where mac = base64url(HMAC-SHA256(save key, canonical
 * string of project, flow and entry)). The save key is the deployment's own
 * (one Secrets Manager secret), never a project's Token Signing Secret, so
 * rotating a project's credentials never breaks saves; and verifying a token
 * needs no read of the entry.
 *
 * Like v2 resume tokens, the MAC's 32 bytes take 43 base64url characters whose
 * last one has 2 unused bits: only the canonical spelling is accepted.
 */
export const SAVE_TOKEN_PATTERN = '^s1\\.[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$';
const saveTokenRegExp = new RegExp(SAVE_TOKEN_PATTERN);

/** What a save token is bound to. */
export interface SaveClaims {
  readonly projectId: string;
  readonly flowId: string;
  readonly entryId: string;
}

// Ids cannot contain a newline, so the string parses one way only.
const canonical = (c: SaveClaims): string => ['session-recovery/save/v1', c.projectId, c.flowId, c.entryId].join('\n');

const mac = (secret: string, claims: SaveClaims): Buffer => createHmac('sha256', secret).update(canonical(claims), 'utf8').digest();

export const mintSaveToken = (key: SigningKey, claims: SaveClaims): string => `s1.${mac(key.secret, claims).toString('base64url')}`;

/**
 * Whether `token` is a save token for exactly these claims under one of `keys`
 * (the current save key, and the previous one during a rotation). Every key is
 * tried in constant time, with no early exit.
 */
export const verifySaveToken = (keys: readonly SigningKey[], token: string, claims: SaveClaims): boolean => {
  if (!saveTokenRegExp.test(token)) return false;
  const presented = Buffer.from(token.slice(3), 'base64url');
  let valid = false;
  for (const key of keys) {
    if (timingSafeEqual(mac(key.secret, claims), presented)) valid = true;
  }
  return valid;
};
