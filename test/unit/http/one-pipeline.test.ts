import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ANSWER_BEFORE_TIMEOUT_MS } from '../../../lambdas/http/pipeline';
import { createHandler as notFound } from '../../../lambdas/not-found/handler';
import { createHandler as shortLinks } from '../../../lambdas/short-links/handler';
import { lambdaContext, toHttpApiEvent } from '../../../local/http-api-event';

/** A code of the right shape, so the redirect reads it: the read never answers. */
const CODE = 'A'.repeat(16);
const stalled = shortLinks({ reader: { findShortLink: () => new Promise(() => undefined) }, now: () => Date.now() });
const follow = (method: 'GET' | 'HEAD', accept: string) =>
  toHttpApiEvent({ method, path: `/r/${CODE}`, routeKey: `${method} /r/{code}`, pathParameters: { code: CODE }, headers: { accept } });
// The context says the Lambda has only a few milliseconds more than the margin left: no waiting on a real clock.
const nearTimeout = () => lambdaContext('short-links', ANSWER_BEFORE_TIMEOUT_MS + 5);

describe('the short-link redirect goes through the one pipeline, with its early timeout', () => {
  it(`a read that stalls is answered 503 with Retry-After ${ANSWER_BEFORE_TIMEOUT_MS} ms before the timeout: JSON for a script`, async () => {
    const result = (await stalled(follow('GET', 'application/json'), nearTimeout())) as APIGatewayProxyStructuredResultV2;
    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ 'Retry-After': '1', 'Cache-Control': 'no-store' });
    expect(JSON.parse(result.body!)).toEqual({ error: { code: 'service_unavailable', message: 'The service is busy. Retry shortly.' } });
  });

  it('... a page for a browser, and no body for HEAD', async () => {
    const page = (await stalled(follow('GET', 'text/html'), nearTimeout())) as APIGatewayProxyStructuredResultV2;
    expect([page.statusCode, page.headers?.['Content-Type']]).toEqual([503, 'text/html; charset=utf-8']);
    expect(page.body).toContain('This link cannot be opened right now');
    const head = (await stalled(follow('HEAD', 'text/html'), nearTimeout())) as APIGatewayProxyStructuredResultV2;
    expect([head.statusCode, head.body]).toEqual([503, '']);
  });
});

it('the $default route answers through the same pipeline: the documented 404 with the security headers and no CORS', async () => {
  const result = (await notFound({})(
    toHttpApiEvent({ method: 'GET', path: '/nowhere', routeKey: '$default', headers: { origin: 'https://a.example' } }),
    lambdaContext('not-found'),
  )) as APIGatewayProxyStructuredResultV2;
  expect(result.statusCode).toBe(404);
  expect(JSON.parse(result.body!).error.code).toBe('not_found');
  expect(result.headers).toMatchObject({ 'Cache-Control': 'no-store' });
  expect(Object.keys(result.headers ?? {}).filter((h) => h.toLowerCase().startsWith('access-control-'))).toEqual([]);
});
