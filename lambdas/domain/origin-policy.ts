/**
 * A web origin as the API accepts it in an allow-list: `https://host[:port]`
 * (http for local development), with an optional `*.` wildcard for one
 * subdomain level, or `*` for any origin.
 */
export const ORIGIN_PATTERN = '^(\\*|https?://(\\*\\.)?[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?)$';

const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/**
 * What `*` stands for in a pattern: exactly one DNS label of hostname
 * characters. Not `[^.]+`, which would let `evil:x@a` (userinfo) or
 * `evil.com/` stand in for a subdomain.
 */
const ONE_LABEL = '[a-z0-9-]+';

/**
 * Whether `origin` (the request's Origin header) matches one of `patterns`. Hosts
 * compare case-insensitively; `https://*.example.com` matches
 * `https://shop.example.com` but not `https://example.com`,
 * `https://a.b.example.com` or `https://evil:x@a.example.com`.
 */
export const originAllowed = (origin: string, patterns: readonly string[]): boolean => {
  const o = origin.toLowerCase();
  return patterns.some((p) => {
    const pattern = p.toLowerCase();
    if (pattern === '*') return true;
    if (!pattern.includes('*')) return pattern === o;
    return new RegExp(`^${escape(pattern).replace('*', ONE_LABEL)}$`).test(o);
  });
};
