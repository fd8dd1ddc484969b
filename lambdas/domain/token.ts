import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The seed's token: lowercase hex `sha256(secret + "---" + entryId + "---" + expiresAt)`
 * over the exact UTF-8 strings, never re-serialised. Customer backends mint it this
 * way, so it cannot change. Callers must have checked the grammar first (see grammar.ts).
 */
export const computeToken = (secret: string, entryId: string, expiresAt: string): string => digest(secret, entryId, expiresAt).toString('hex');

const digest = (secret: string, entryId: string, expiresAt: string): Buffer =>
  createHash('sha256').update(`${secret}---${entryId}---${expiresAt}`, 'utf8').digest();

/** How a key signs: the seed's plain SHA-256 (the default), or v2 HMAC tokens (token-v2.ts). */
export type TokenAlgorithm = 'sha256' | 'hmac-sha256';

/** A key that may have signed a token. */
export interface SigningKey {
  /** Identifies the key in logs and metrics; never the key value. */
  readonly id: string;
  readonly secret: string;
  /** @default 'sha256' */
  readonly algorithm?: TokenAlgorithm;
}

/**
 * Returns the id of the key that signed `token`, or `undefined`.
 *
 * Every key is tried and compared with `timingSafeEqual`, with no early exit, so the
 * time taken depends on the number of keys only, not on which key matched or on how
 * many leading bytes of a guess were right. `token` must already match TOKEN_PATTERN;
 * hex decoding makes the comparison case-insensitive.
 */
export const findSigningKey = (keys: readonly SigningKey[], token: string, entryId: string, expiresAt: string): string | undefined => {
  const presented = Buffer.from(token, 'hex');
  let matched: string | undefined;
  for (const key of keys) {
    if (timingSafeEqual(digest(key.secret, entryId, expiresAt), presented) && matched === undefined) matched = key.id;
  }
  return matched;
};
