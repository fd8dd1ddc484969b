import httpCors from '@middy/http-cors';
import type { MiddlewareObj, Request } from '@middy/core';

export interface CorsOptions {
  /** Origins allowed to call from a browser; `*` allows any. Entries may use `*` as a subdomain wildcard. */
  readonly allowedOrigins: readonly string[];
  /** Methods the route answers, for the preflight. */
  readonly methods: string;
  /** Seconds a browser may cache a preflight answer (Chromium caps it at 7200). */
  readonly preflightMaxAgeSeconds?: number;
}

/**
 * CORS and security headers on every response, preflight included. The API sets
 * no cookies and reads no credentials, so CORS never allows credentials.
 *
 * @middy/http-cors answers OPTIONS preflights itself by ending the request early,
 * which skips every `after` hook; this middleware therefore applies the security
 * headers to that early response too.
 */
/**
 * The security headers of a JSON API: nothing may be rendered, framed, sniffed,
 * cached or sent a referrer. (@middy/http-security-headers targets HTML pages and
 * weighed 5.5 KB of the bundle for these six constants; see bench/HISTORY.md.)
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  // Responses carry a user's saved answers: nothing may store them.
  'Cache-Control': 'no-store',
};

const addSecurityHeaders = (request: Request): void => {
  const response = request.response as { headers?: Record<string, string> };
  response.headers = { ...response.headers, ...SECURITY_HEADERS };
};

/**
 * Every response varies by Origin (a project's own origin list can refuse one
 * with 403), so `vary: 'Origin'` is always set; @middy/http-cors adds it a second
 * time when it echoes an origin. Each name is kept once.
 */
const varyOnce = (request: Request): void => {
  const headers = (request.response as { headers?: Record<string, string> }).headers;
  if (headers?.Vary === undefined) return;
  headers.Vary = [
    ...new Set(
      headers.Vary.split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    ),
  ].join(', ');
};

/** Headers a Lambda adds to every response, preflights included (e.g. deprecation signals). */
export type ExtraHeaders = (event: unknown) => Record<string, string>;

export const responseHeaders = (corsOptions?: CorsOptions, extraHeaders?: ExtraHeaders): MiddlewareObj => {
  // Routes without CORS (IAM-authorized, server-to-server) get no Access-Control-* headers at all.
  const cors = corsOptions
    ? httpCors({
        origins: [...corsOptions.allowedOrigins],
        methods: corsOptions.methods,
        headers: 'Content-Type',
        maxAge: corsOptions.preflightMaxAgeSeconds ?? 7200,
        disableBeforePreflightResponse: false,
        vary: 'Origin',
      })
    : undefined;
  const addExtra = (request: Request): void => {
    if (!extraHeaders) return;
    const response = request.response as { headers?: Record<string, string> };
    response.headers = { ...response.headers, ...extraHeaders(request.event) };
  };
  const applyAll = (request: Request): void => {
    cors?.after!(request);
    varyOnce(request);
    addSecurityHeaders(request);
    addExtra(request);
  };
  return {
    before: (request) => {
      if (!cors) return undefined;
      const early = cors.before!(request);
      if (early === undefined) return undefined;
      varyOnce(request);
      addSecurityHeaders(request);
      addExtra(request);
      return request.response;
    },
    after: applyAll,
    onError: (request) => {
      if (request.response !== undefined) applyAll(request);
    },
  };
};
