import type { MiddlewareObj } from '@middy/core';
import { Ajv } from 'ajv';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { ApiError } from '../../../lambdas/domain/errors';
import { ANSWER_BEFORE_TIMEOUT_MS, httpPipeline } from '../../../lambdas/http/pipeline';
import { type HttpResult, type JsonEvent, jsonResult } from '../../../lambdas/http/types';
import { logger } from '../../../lambdas/runtime/logger';
import { lambdaContext, toHttpApiEvent } from '../../../local/http-api-event';
import { captureLogRecords } from '../../support/capture-lines';

const ORIGIN = 'https://a.example';
const validateEvent = new Ajv({ allErrors: true }).compile({
  type: 'object',
  properties: { body: { type: 'object', required: ['label'], properties: { label: { type: 'string', maxLength: 8 } }, additionalProperties: false } },
});

type Work = (event: JsonEvent<{ label: string }>) => Promise<HttpResult>;

/** The product's chain around `work`, with CORS, a deprecation header and the given gates; returns the result and the log lines. */
const pipeline = (work: Work, gates: MiddlewareObj[] = []) => {
  const handler = httpPipeline(work, {
    validateEvent,
    fieldRules: { label: 'must be 1 to 8 characters' },
    maxBodyBytes: 64,
    cors: { allowedOrigins: [ORIGIN], methods: 'POST,OPTIONS' },
    extraHeaders: () => ({ Deprecation: 'true' }),
    gates,
  });
  return async (event: APIGatewayProxyEventV2, context: Context = lambdaContext('unit')) => {
    let result: HttpResult | undefined;
    const logs = await captureLogRecords(async () => (result = await handler(event as never, context)));
    return { result: result!, logs };
  };
};

const post = (body: string, type = 'application/json') =>
  toHttpApiEvent({ method: 'POST', path: '/v1/x', routeKey: 'POST /v1/x', headers: { 'content-type': type, origin: ORIGIN }, body });
const ok: Work = async (event) => jsonResult(200, { label: event.body.label });

it("answers with the handler's result, every header added, and writes one request line", async () => {
  const event = post('{"label":"hi"}');
  const { result, logs } = await pipeline(ok)(event);
  expect(result.statusCode).toBe(200);
  expect(result.body).toBe('{"label":"hi"}');
  expect(result.headers).toMatchObject({ 'Access-Control-Allow-Origin': ORIGIN, 'Cache-Control': 'no-store', Deprecation: 'true', Vary: 'Origin' });
  expect(logs).toEqual([{ level: 'INFO', request_id: event.requestContext.requestId, outcome: 'ok' }]);
});

it.each([
  ['a body that is not JSON', post('{'), 400, 'invalid_request'],
  ['a body of the wrong type', post('{"label":"hi"}', 'application/xml'), 415, 'unsupported_media_type'],
  ['a body over the limit', post(JSON.stringify({ label: 'x'.repeat(80) })), 413, 'payload_too_large'],
  ['a body the schema refuses', post('{"label":"far too long"}'), 400, 'invalid_request'],
])('%s is answered as an error with every header, before the handler runs', async (_what, event, status, code) => {
  let called = false;
  const { result, logs } = await pipeline(async (e) => ((called = true), ok(e)))(event);
  expect(called).toBe(false);
  expect(result.statusCode).toBe(status);
  expect(JSON.parse(result.body!).error.code).toBe(code);
  expect(result.headers).toMatchObject({ 'Access-Control-Allow-Origin': ORIGIN, 'X-Content-Type-Options': 'nosniff', Deprecation: 'true' });
  expect(logs.map((l) => l.outcome)).toEqual([code]);
});

it("the schema's failure is explained with the field's rule", async () => {
  const { result } = await pipeline(ok)(post('{"label":"far too long"}'));
  expect(JSON.parse(result.body!)).toEqual({ error: { code: 'invalid_request', message: 'Invalid request: label must be 1 to 8 characters.' } });
});

it('a gate runs after error formatting and before the body is read: its refusal wins over a broken body', async () => {
  const seen: unknown[] = [];
  const gone: MiddlewareObj = {
    before: (request) => {
      seen.push((request.event as APIGatewayProxyEventV2).body);
      throw new ApiError('gone', 'This route was switched off.');
    },
  };
  const { result, logs } = await pipeline(ok, [gone])(post('{not json'));
  expect(seen).toEqual(['{not json']);
  expect(result.statusCode).toBe(410);
  expect(JSON.parse(result.body!)).toEqual({ error: { code: 'gone', message: 'This route was switched off.' } });
  expect(result.headers).toMatchObject({ 'Access-Control-Allow-Origin': ORIGIN, Deprecation: 'true' });
  expect(logs.map((l) => l.outcome)).toEqual(['gone']);
});

it('ids a handler appended to the logger are on its own request line only', async () => {
  const run = pipeline(async (event) => (logger.appendKeys({ project_id: 'proj_1' }), ok(event)));
  const first = await run(post('{"label":"a"}'));
  const second = await pipeline(ok)(post('{"label":"b"}'));
  expect(first.logs[0]).toHaveProperty('project_id', 'proj_1');
  expect(second.logs[0]).not.toHaveProperty('project_id');
});

it('a request starts with no keys: none left from before it reach its lines', async () => {
  logger.appendKeys({ project_id: 'left_over' });
  const { logs } = await pipeline(ok)(post('{"label":"a"}'));
  expect(logs).toHaveLength(1);
  expect(logs[0]).not.toHaveProperty('project_id');
});

it('a request ends with no keys: a line written after it carries none of its ids', async () => {
  await pipeline(async (event) => (logger.appendKeys({ project_id: 'proj_1' }), ok(event)))(post('{"label":"a"}'));
  const after = await captureLogRecords(async () => logger.warn('between requests'));
  expect(after).toEqual([{ level: 'WARN', message: 'between requests' }]);
});

it(`${ANSWER_BEFORE_TIMEOUT_MS} ms before the Lambda's timeout, answers 503 with Retry-After, whatever the handler is waiting for`, async () => {
  // The context says the Lambda has only a few milliseconds more than the margin left: no waiting on a real clock.
  const context = lambdaContext('unit', ANSWER_BEFORE_TIMEOUT_MS + 5);
  const stalled: Work = () => new Promise(() => undefined);
  const { result, logs } = await pipeline(stalled)(post('{"label":"hi"}'), context);
  expect(result.statusCode).toBe(503);
  expect(result.headers).toMatchObject({ 'Retry-After': '1', 'Access-Control-Allow-Origin': ORIGIN });
  expect(JSON.parse(result.body!)).toEqual({ error: { code: 'service_unavailable', message: 'The service is busy. Retry shortly.' } });
  expect(logs.map((l) => [l.level, l.message ?? '', l.error_name ?? '', l.outcome ?? ''])).toEqual([
    ['ERROR', 'request failed', 'TimeoutError', ''],
    ['INFO', '', '', 'service_unavailable'],
  ]);
});
