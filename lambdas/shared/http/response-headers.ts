import httpCors from '@middy/http-cors';
import httpSecurityHeaders from '@middy/http-security-headers';
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
  const security = httpSecurityHeaders({
    contentSecurityPolicy: { 'default-src': "'none'", 'frame-ancestors': "'none'" },
    crossOriginResourcePolicy: false,
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: false,
    permissionsPolicy: false,
    reportTo: false,
    reportingEndpoints: false,
  });
  const addExtra = (request: Request): void => {
    if (!extraHeaders) return;
    const response = request.response as { headers?: Record<string, string> };
    response.headers = { ...response.headers, ...extraHeaders(request.event) };
  };
  const applyAll = (request: Request): void => {
    cors?.after!(request);
    security.after!(request);
    addExtra(request);
    // Responses carry a user's saved answers: nothing may store them.
    (request.response as { headers: Record<string, string> }).headers['Cache-Control'] = 'no-store';
  };
  return {
    before: (request) => {
      if (!cors) return undefined;
      const early = cors.before!(request);
      if (early === undefined) return undefined;
      security.after!(request);
      addExtra(request);
      return request.response;
    },
    after: applyAll,
    onError: (request) => {
      if (request.response !== undefined) applyAll(request);
    },
  };
};
