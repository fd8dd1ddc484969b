import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ApiError } from '../../../lambdas/domain/errors';
import { type CorsOptions, type ExtraHeaders, responseHeaders } from '../../../lambdas/http/response-headers';
import { type HttpResult, jsonResult } from '../../../lambdas/http/types';
import { lambdaContext, toHttpApiEvent } from '../../../local/http-api-event';

const SECURITY = {
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};
const CORS: CorsOptions = { allowedOrigins: ['https://a.example', 'https://*.b.example'], methods: 'POST,OPTIONS' };
const ALLOWED = 'https://a.example';

/** responseHeaders alone, in front of a handler that counts its calls and answers `result`. */
const withHeaders = (cors?: CorsOptions, extra?: ExtraHeaders, result: HttpResult = jsonResult(200, { ok: true })) => {
  const calls: APIGatewayProxyEventV2[] = [];
  const handler = middy<APIGatewayProxyEventV2, HttpResult>()
    .use(responseHeaders(cors, extra))
    .handler(async (event) => (calls.push(event), structuredClone(result)));
  return { calls, run: (event: APIGatewayProxyEventV2) => handler(event, lambdaContext('unit')) };
};
const post = (origin?: string) => toHttpApiEvent({ method: 'POST', path: '/v1/x', headers: origin ? { origin } : {} });
const preflight = (origin: string) =>
  toHttpApiEvent({
    method: 'OPTIONS',
    path: '/v1/x',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });

const CORS_ANSWER = {
  'Access-Control-Allow-Headers': 'Content-Type',
  'Access-Control-Allow-Methods': 'POST,OPTIONS',
  'Access-Control-Max-Age': '7200',
  Vary: 'Origin',
};

describe('the CORS preflight', () => {
  it('is answered 204 before the handler, with the CORS answer, the security headers and the extra headers', async () => {
    const { calls, run } = withHeaders(CORS, (event) => ({ Deprecation: 'true', 'X-Seen-Path': (event as APIGatewayProxyEventV2).rawPath }));
    expect(await run(preflight(ALLOWED))).toEqual({
      statusCode: 204,
      headers: { ...CORS_ANSWER, 'Access-Control-Allow-Origin': ALLOWED, ...SECURITY, Deprecation: 'true', 'X-Seen-Path': '/v1/x' },
    });
    expect(calls).toHaveLength(0);
  });

  it('from an origin not allowed: no Access-Control-Allow-Origin, so the browser refuses; still the security headers', async () => {
    const { run } = withHeaders(CORS);
    expect(await run(preflight('https://evil.example'))).toEqual({ statusCode: 204, headers: { ...CORS_ANSWER, ...SECURITY } });
  });

  it('caches for the configured time', async () => {
    const { run } = withHeaders({ ...CORS, preflightMaxAgeSeconds: 600 });
    expect((await run(preflight(ALLOWED))).headers?.['Access-Control-Max-Age']).toBe('600');
  });

  it('matches a subdomain wildcard one label deep', async () => {
    const { run } = withHeaders(CORS);
    expect((await run(preflight('https://shop.b.example'))).headers?.['Access-Control-Allow-Origin']).toBe('https://shop.b.example');
    expect((await run(preflight('https://x.shop.b.example'))).headers).not.toHaveProperty('Access-Control-Allow-Origin');
  });
});

describe('a response', () => {
  it('gets the CORS answer for an allowed origin, the security headers and its own headers', async () => {
    const { run } = withHeaders(CORS);
    expect(await run(post(ALLOWED))).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json; charset=utf-8', ...CORS_ANSWER, 'Access-Control-Allow-Origin': ALLOWED, ...SECURITY },
      body: '{"ok":true}',
    });
  });

  it('with `*` allowed, answers `*` and never allows credentials', async () => {
    const { run } = withHeaders({ allowedOrigins: ['*'], methods: 'POST' });
    const headers = (await run(post(ALLOWED))).headers;
    expect(headers?.['Access-Control-Allow-Origin']).toBe('*');
    expect(headers).not.toHaveProperty('Access-Control-Allow-Credentials');
  });

  it("names Origin in Vary exactly once, after the handler's own Vary", async () => {
    const { run } = withHeaders(CORS, undefined, { statusCode: 200, headers: { Vary: 'Accept-Encoding, Origin' } });
    expect((await run(post(ALLOWED))).headers?.Vary).toBe('Accept-Encoding, Origin');
    const other = withHeaders(CORS, undefined, { statusCode: 200, headers: { Vary: 'Accept-Encoding' } });
    expect((await other.run(post(ALLOWED))).headers?.Vary).toBe('Accept-Encoding, Origin');
  });

  it("varies by Origin even without one, so a cache never serves one origin's answer to another", async () => {
    const { run } = withHeaders(CORS);
    expect((await run(post())).headers?.Vary).toBe('Origin');
  });

  it("cannot weaken a security header: the handler's Cache-Control is replaced by no-store", async () => {
    const { run } = withHeaders(undefined, undefined, { statusCode: 200, headers: { 'Cache-Control': 'public, max-age=600' } });
    expect((await run(post())).headers?.['Cache-Control']).toBe('no-store');
  });
});

describe('a route without CORS (IAM-authorized, called by servers)', () => {
  it('gets no Access-Control-* header and no Vary, even when a browser sends Origin', async () => {
    const { run } = withHeaders();
    expect(await run(post(ALLOWED))).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json; charset=utf-8', ...SECURITY },
      body: '{"ok":true}',
    });
  });

  it('passes OPTIONS on to the handler: nothing answers a preflight', async () => {
    const { calls, run } = withHeaders();
    expect((await run(preflight(ALLOWED))).statusCode).toBe(200);
    expect(calls).toHaveLength(1);
  });
});

describe('on an error', () => {
  /** responseHeaders, then a stand-in for errorResponse that formats the error (onError hooks run in reverse). */
  const failing = (format: boolean) =>
    middy<APIGatewayProxyEventV2, HttpResult>()
      .use(responseHeaders(CORS, () => ({ Deprecation: 'true' })))
      .use({
        onError: (request) => {
          if (format) request.response = jsonResult(503, { error: { code: 'service_unavailable', message: 'busy' } }, { 'Retry-After': '1' });
        },
      })
      .handler(async () => {
        throw new ApiError('service_unavailable', 'busy');
      });

  it('adds every header to the formatted error response, keeping its own', async () => {
    expect(await failing(true)(post(ALLOWED), lambdaContext('unit'))).toEqual({
      statusCode: 503,
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'Retry-After': '1',
        ...CORS_ANSWER,
        'Access-Control-Allow-Origin': ALLOWED,
        ...SECURITY,
        Deprecation: 'true',
      },
      body: '{"error":{"code":"service_unavailable","message":"busy"}}',
    });
  });

  it('leaves an unformatted error alone (it reaches the caller as thrown)', async () => {
    await expect(failing(false)(post(ALLOWED), lambdaContext('unit'))).rejects.toMatchObject({ code: 'service_unavailable' });
  });
});
