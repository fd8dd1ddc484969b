import { UnavailableError } from '../../../lambdas/domain/errors';
import { Ajv } from 'ajv';
import type { Context } from 'aws-lambda';
import { ApiError } from '../../../lambdas/domain/errors';
import { invokePipeline } from '../../../lambdas/http/invoke-pipeline';
import { ANSWER_BEFORE_TIMEOUT_MS } from '../../../lambdas/http/pipeline';
import { lambdaContext } from '../../../local/http-api-event';
import { captureLogRecords } from '../../support/capture-lines';

interface Payload {
  readonly entry_id: string;
}
const validatePayload = new Ajv({ allErrors: true }).compile({
  type: 'object',
  required: ['entry_id'],
  properties: { entry_id: { type: 'string', pattern: '^[a-z0-9_]+$' } },
  additionalProperties: false,
});

/** The direct-invocation chain around `work`; returns what the caller gets back and the log lines. */
const invoke = async (work: (payload: Payload) => Promise<unknown>, payload: unknown, context: Context = lambdaContext('unit')) => {
  const handler = invokePipeline(work, { validatePayload, fieldRules: { entry_id: 'must match the id grammar' } });
  let returned: unknown;
  const logs = await captureLogRecords(async () => (returned = await handler(payload as Payload, context)));
  return { returned, logs };
};

it("returns the handler's result and writes one request line under the invocation's request id", async () => {
  const context = lambdaContext('unit');
  expect(await invoke(async (p) => ({ token: `for ${p.entry_id}` }), { entry_id: 'e1' }, context)).toEqual({
    returned: { token: 'for e1' },
    logs: [{ level: 'INFO', request_id: context.awsRequestId, outcome: 'ok' }],
  });
});

it('returns a payload the schema refuses as an error object, explained, without calling the handler', async () => {
  let called = false;
  const { returned, logs } = await invoke(async () => (called = true), { entry_id: 'E 1', extra: true });
  expect(called).toBe(false);
  expect(returned).toEqual({ error: { code: 'invalid_request', message: 'Invalid request: unknown field "extra"; entry_id must match the id grammar.' } });
  expect(logs.map((l) => [l.level, l.outcome])).toEqual([['INFO', 'invalid_request']]);
});

it('returns an ApiError as an error object with its code and message, never throws it', async () => {
  const { returned, logs } = await invoke(
    async () => {
      throw new ApiError('no_active_credential', 'The project has no active credential.');
    },
    { entry_id: 'e1' },
  );
  expect(returned).toEqual({ error: { code: 'no_active_credential', message: 'The project has no active credential.' } });
  expect(logs.map((l) => l.outcome)).toEqual(['no_active_credential']);
});

it('returns any other error as internal_error with a generic message, logged by name only', async () => {
  const { returned, logs } = await invoke(
    async () => {
      throw new RangeError('detail that may echo a request field');
    },
    { entry_id: 'e1' },
  );
  expect(returned).toEqual({ error: { code: 'internal_error', message: 'Something went wrong on our side.' } });
  expect(logs).toEqual([
    { level: 'ERROR', message: 'invocation failed', error_name: 'RangeError', request_id: expect.any(String) },
    { level: 'INFO', request_id: expect.any(String), outcome: 'internal_error' },
  ]);
});

it('returns an unavailable dependency as service_unavailable', async () => {
  const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
  const { returned } = await invoke(
    async () => {
      throw new UnavailableError(throttled.name, { cause: throttled });
    },
    { entry_id: 'e1' },
  );
  expect(returned).toEqual({ error: { code: 'service_unavailable', message: 'The service is busy. Retry shortly.' } });
});

it(`returns service_unavailable ${ANSWER_BEFORE_TIMEOUT_MS} ms before the Lambda's timeout`, async () => {
  const { returned } = await invoke(() => new Promise(() => undefined), { entry_id: 'e1' }, lambdaContext('unit', ANSWER_BEFORE_TIMEOUT_MS + 5));
  expect(returned).toEqual({ error: { code: 'service_unavailable', message: 'The service is busy. Retry shortly.' } });
});
