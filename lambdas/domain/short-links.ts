import { randomBytes } from 'node:crypto';

/**
 * Short links, for SMS: `<base>/r/<code>` answers 302 to a minted resume link.
 *
 * The code is the only secret of a short link: whoever holds it holds the full
 * link, token included. 16 characters drawn uniformly from 62 carry
 * 16 × log2(62) ≈ 95.3 bits, so guessing is hopeless at any request rate the
 * route's throttle lets through (docs/security.md), and two codes minted by the
 * same deployment never meet in practice: a billion codes collide with
 * probability about 10⁻¹¹ (n² / 2 / 62¹⁶).
 */
export const SHORT_CODE_LENGTH = 16;

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Exactly the codes this product makes: anything else is unknown without a read. */
export const SHORT_CODE_PATTERN = `^[0-9A-Za-z]{${SHORT_CODE_LENGTH}}$`;
const codeRegExp = new RegExp(SHORT_CODE_PATTERN);

export const isShortCode = (value: string): boolean => codeRegExp.test(value);

/**
 * A new code from the CSPRNG. Bytes of 248 or more are dropped, so each of the
 * 62 characters is equally likely (248 = 4 × 62): `byte % 62` alone would favour
 * the first 8.
 */
export const generateShortCode = (random: (size: number) => Buffer = randomBytes): string => {
  let code = '';
  while (code.length < SHORT_CODE_LENGTH) {
    for (const byte of random(SHORT_CODE_LENGTH * 2)) {
      if (byte < 248 && code.length < SHORT_CODE_LENGTH) code += ALPHABET[byte % 62];
    }
  }
  return code;
};

/** A short link as stored: what the redirect answers, and until when. */
export interface ShortLink {
  readonly code: string;
  /** The full resume link the code redirects to, exactly as mint built it. */
  readonly url: string;
  /** The link's expiry in epoch seconds, rounded up: the record lives (and redirects) as long as the link. */
  readonly expiresAt: number;
  readonly projectId: string;
  readonly entryId: string;
  /** The campaign the link was sent in, when mint was told one. */
  readonly campaign?: string;
}

/** Where mint keeps short links. */
export interface ShortLinkStore {
  /**
   * Stores every link, in as few calls as the store allows. Returns, for each
   * link in order, whether it was stored: a link the store could not take after
   * its retries is false, and redirects nowhere.
   */
  saveShortLinks(links: readonly ShortLink[]): Promise<readonly boolean[]>;
}

/** What the redirect reads: one lookup by code, nothing written. */
export interface ShortLinkReader {
  findShortLink(code: string): Promise<Pick<ShortLink, 'url' | 'expiresAt' | 'projectId'> | undefined>;
}

/**
 * The URL a code redirects to, or undefined when there is none: no such code,
 * or a link past its expiry that DynamoDB's TTL has not deleted yet (it can lag
 * by days).
 */
export const resolveShortLink = async (reader: ShortLinkReader, code: string, now: number): Promise<Pick<ShortLink, 'url' | 'projectId'> | undefined> => {
  if (!isShortCode(code)) return undefined;
  const link = await reader.findShortLink(code);
  if (!link || link.expiresAt * 1000 <= now) return undefined;
  return link;
};
