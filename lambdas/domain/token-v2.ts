import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SigningKey } from './token';

/**
 * v2 tokens, optional and beyond the seed's scheme: `v2.<credential_id>.<mac>`,
 * where mac = base64url(HMAC-SHA256(secret, canonical string)). Stronger than
 * the seed's `sha256(secret---entry---expiry)` in two ways:
 *
 * - HMAC is not open to length extension by construction (the key is mixed in
 *   twice, inner and outer), so its safety does not rest on an input grammar;
 * - the canonical string binds the project (and the flow, when minted with one),
 *   so a token is cryptographically tied to the project it was minted for.
 *
 * The credential id in the token picks the key: no trial of every key.
 */
/**
 * The MAC is 32 bytes: 43 base64url characters, whose last one carries 4 bits
 * of MAC and 2 unused bits. Only the canonical spelling, with those bits zero
 * (A E I M Q U Y c g k o s w 0 4 8), is accepted: one token, one string.
 */
export const V2_TOKEN_PATTERN = '^v2\\.cred_[0-9a-f]{20}\\.[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$';
const v2RegExp = new RegExp(V2_TOKEN_PATTERN);

export const isV2Token = (token: string): boolean => v2RegExp.test(token);

/** What a v2 token is bound to. `flowId` undefined: valid for any flow of the project. */
export interface V2Claims {
  readonly projectId: string;
  readonly flowId?: string;
  readonly entryId: string;
  readonly expiresAt: string;
}

// Fields are ids and an RFC 3339 date: none can contain a newline, so the string parses one way only.
const canonical = (c: V2Claims): string => ['session-recovery/v2', c.projectId, c.flowId ?? '', c.entryId, c.expiresAt].join('\n');

const mac = (secret: string, claims: V2Claims): Buffer => createHmac('sha256', secret).update(canonical(claims), 'utf8').digest();

export const mintV2Token = (key: SigningKey, claims: V2Claims): string => `v2.${key.id}.${mac(key.secret, claims).toString('base64url')}`;

/**
 * Returns the credential id when `token` is a valid v2 token for these claims
 * under one of `keys`. The MAC is checked for the flow-bound form and for the
 * unbound form (minted without a flow), both in constant time.
 */
export const verifyV2Token = (keys: readonly SigningKey[], token: string, claims: Required<V2Claims>): string | undefined => {
  if (!isV2Token(token)) return undefined;
  const [, credentialId, presentedText] = token.split('.');
  const key = keys.find((k) => k.id === credentialId);
  if (!key) return undefined;
  const presented = Buffer.from(presentedText, 'base64url');
  const bound = timingSafeEqual(mac(key.secret, claims), presented);
  const unbound = timingSafeEqual(mac(key.secret, { ...claims, flowId: undefined }), presented);
  return bound || unbound ? key.id : undefined;
};
