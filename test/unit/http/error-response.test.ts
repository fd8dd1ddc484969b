import middy, { type Request } from '@middy/core';
import validator from '@middy/validator';
import { Ajv } from 'ajv';
import { ApiError, UnavailableError } from '../../../lambdas/domain/errors';
import { errorResponse } from '../../../lambdas/http/error-response';
import type { HttpResult } from '../../../lambdas/http/types';
import { Logger } from '../../../lambdas/runtime/logger';
import { lambdaContext } from '../../../local/http-api-event';
import { captureLogRecords } from '../../support/capture-lines';

const logger = new Logger();
const validateEvent = new Ajv({ allErrors: true }).compile({
  type: 'object',
  required: ['body'],
  properties: {
    body: {
      type: 'object',
      required: ['label'],
      properties: { label: { type: 'string', maxLength: 3 }, origins: { type: 'array', items: { type: 'string', pattern: '^https://' } } },
      additionalProperties: false,
    },
  },
});

/**
 * errorResponse alone behind the validator, in front of a handler that throws
 * `error`; also returns the outcome it leaves for the access log.
 */
const failWith = async (error: unknown, event: unknown = { body: { label: 'ok' } }) => {
  let outcome: unknown;
  const handler = middy<unknown, HttpResult>()
    .use({ onError: (request: Request) => void (outcome = (request.internal as { outcome?: unknown }).outcome) })
    .use(errorResponse({ logger, fieldRules: { label: 'must be 1 to 3 characters', origins: 'must be https:// origins' } }))
    .use(validator({ eventSchema: validateEvent as never }))
    .handler(async () => {
      throw error;
    });
  let response: HttpResult | undefined;
  const logs = await captureLogRecords(async () => (response = await handler(event, lambdaContext('unit'))));
  return { response, outcome, logs };
};

const JSON_TYPE = { 'Content-Type': 'application/json; charset=utf-8' };

describe('an ApiError', () => {
  it('is answered as it is: its status, code and message; not logged', async () => {
    expect(await failWith(new ApiError('not_found', 'No credential cred_1 in this project.'))).toEqual({
      response: { statusCode: 404, headers: JSON_TYPE, body: '{"error":{"code":"not_found","message":"No credential cred_1 in this project."}}' },
      outcome: 'not_found',
      logs: [],
    });
  });

  it('with a retry delay gets Retry-After; a 5xx is logged by name and code', async () => {
    const { response, logs } = await failWith(new ApiError('service_unavailable', 'Too many concurrent changes.', { retryAfterSeconds: 2 }));
    expect(response).toEqual({
      statusCode: 503,
      headers: { ...JSON_TYPE, 'Retry-After': '2' },
      body: '{"error":{"code":"service_unavailable","message":"Too many concurrent changes."}}',
    });
    expect(logs).toEqual([{ level: 'ERROR', message: 'request failed', error_name: 'ApiError', error_code: 'service_unavailable' }]);
  });
});

describe('a validation failure', () => {
  it('is 400 invalid_request with one readable message naming each field and its rule; not logged', async () => {
    const { response, outcome, logs } = await failWith(new Error('unreachable'), { body: { label: 'toolong', origins: ['http://a'], extra: 1 } });
    expect(response).toEqual({
      statusCode: 400,
      headers: JSON_TYPE,
      body: JSON.stringify({
        error: {
          code: 'invalid_request',
          message: 'Invalid request: unknown field "extra"; label must be 1 to 3 characters; origins must be https:// origins.',
        },
      }),
    });
    expect([outcome, logs]).toEqual(['invalid_request', []]);
  });
});

describe("an unavailable dependency (the UnavailableError adapters raise for an AWS failure after the SDK's retries)", () => {
  it.each([
    ['throttling', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }), undefined],
    ['a 5xx', Object.assign(new Error('Internal'), { name: 'InternalServiceError', $metadata: { httpStatusCode: 500 } }), undefined],
    ['a timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), undefined],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'ECONNRESET'],
  ])("%s is 503 service_unavailable with Retry-After: 1, logged by the dependency error's name and code only", async (_what, error, code) => {
    const { response, outcome, logs } = await failWith(new UnavailableError(error.name, { cause: error }));
    expect(response).toEqual({
      statusCode: 503,
      headers: { ...JSON_TYPE, 'Retry-After': '1' },
      body: '{"error":{"code":"service_unavailable","message":"The service is busy. Retry shortly."}}',
    });
    expect(outcome).toBe('service_unavailable');
    expect(logs).toEqual([{ level: 'ERROR', message: 'request failed', error_name: error.name, ...(code ? { error_code: code } : {}) }]);
  });
  it("an adapter's own reason (records lost to concurrent writers, no SDK error behind it) is logged as UnavailableError and that reason", async () => {
    const { response, logs } = await failWith(new UnavailableError('LinkNotRecorded'));
    expect(response?.statusCode).toBe(503);
    expect(logs).toEqual([{ level: 'ERROR', message: 'request failed', error_name: 'UnavailableError', error_code: 'LinkNotRecorded' }]);
  });
});

describe('any other error', () => {
  it('is 500 when it is an AWS error that no adapter turned into UnavailableError: the HTTP layer knows no SDK', async () => {
    const raw = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    expect((await failWith(raw)).response?.statusCode).toBe(500);
  });

  it('is 500 internal_error with a generic message; its message is neither answered nor logged', async () => {
    const secretish = 'failed for tss_SECRETVALUE and entry user answer';
    const { response, outcome, logs } = await failWith(new TypeError(secretish));
    expect(response).toEqual({
      statusCode: 500,
      headers: JSON_TYPE,
      body: '{"error":{"code":"internal_error","message":"Something went wrong on our side."}}',
    });
    expect(outcome).toBe('internal_error');
    expect(logs).toEqual([{ level: 'ERROR', message: 'request failed', error_name: 'TypeError' }]);
  });

  it('is 500 even when what was thrown is not an Error', async () => {
    const { response, logs } = await failWith('a string');
    expect(response?.statusCode).toBe(500);
    expect(logs).toEqual([{ level: 'ERROR', message: 'request failed', error_name: 'string' }]);
  });

  it("is 500 when an Error only looks like a validation failure (its cause is not @middy/validator's)", async () => {
    const lookalike = new Error('Event object failed validation', { cause: { package: 'something-else', data: [] } });
    expect((await failWith(lookalike)).response?.statusCode).toBe(500);
  });
});
