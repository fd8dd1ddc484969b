import { createHash } from 'node:crypto';
import { isValidToken } from './grammar';

/**
 * What identifies one link after a revoke-links: a digest of its token, so the
 * entry's allow-list names exact links and holds nothing that could be
 * replayed. 128 bits of SHA-256, base64url (22 characters). A seed token's hex
 * is compared case-insensitively everywhere, so it is digested in lower case.
 *
 * The seed's token is a function of the key, the entry and the expiry only: two
 * links with the same key and the same `expires_at` are the same link, and no
 * digest can tell them apart (docs/security.md).
 */
export const linkDigest = (token: string): string =>
  createHash('sha256')
    .update(isValidToken(token) ? token.toLowerCase() : token, 'utf8')
    .digest()
    .subarray(0, 16)
    .toString('base64url');
