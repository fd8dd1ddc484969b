import middy, { type Request } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ApiError } from '../../../lambdas/domain/errors';
import { recordVerification } from '../../../lambdas/domain/verification-outcome';
import { accessLog } from '../../../lambdas/http/access-log';
import { Logger } from '../../../lambdas/runtime/logger';
import { lambdaContext, toHttpApiEvent } from '../../../local/http-api-event';
import { captureLogRecords } from '../../support/capture-lines';

/**
 * accessLog alone, in front of `work`; errors are formatted by a stand-in that
 * sets the outcome the way errorResponse does (its onError runs first).
 */
const logged = async (work: (logger: Logger) => Promise<unknown>, event: unknown, context = lambdaContext('unit')) => {
  const logger = new Logger();
  const handler = middy()
    .use(accessLog(logger))
    .use({
      onError: (request: Request) => {
        (request.internal as { outcome?: string }).outcome = (request.error as ApiError).code;
        request.response = { statusCode: (request.error as ApiError).status };
      },
    })
    .handler(() => work(logger));
  return captureLogRecords(() => handler(event, context));
};

const event = (): APIGatewayProxyEventV2 =>
  toHttpApiEvent({
    method: 'POST',
    path: '/v1/x',
    routeKey: 'POST /v1/x',
    headers: { 'content-type': 'application/json' },
    body: '{"secret":"tss_never_logged"}',
  });

it('writes one line per request: the request id from the event and outcome ok; no message, nothing from the body', async () => {
  const e = event();
  expect(await logged(async () => ({ statusCode: 200 }), e)).toEqual([{ level: 'INFO', request_id: e.requestContext.requestId, outcome: 'ok' }]);
});

it('carries the ids the handler appended', async () => {
  const e = event();
  const lines = await logged(async (logger) => (logger.appendKeys({ project_id: 'proj_1', flow_id: 'flow_1' }), { statusCode: 200 }), e);
  expect(lines).toEqual([{ level: 'INFO', request_id: e.requestContext.requestId, project_id: 'proj_1', flow_id: 'flow_1', outcome: 'ok' }]);
});

it('takes the request id from the Lambda context when the event has none (a direct invocation)', async () => {
  const context = lambdaContext('unit');
  expect(await logged(async () => ({ ok: true }), { entry_id: 'e1' }, context)).toEqual([{ level: 'INFO', request_id: context.awsRequestId, outcome: 'ok' }]);
});

it('a failed request: one line whose outcome is the error code', async () => {
  const e = event();
  const lines = await logged(async () => {
    throw new ApiError('not_found', 'No entry.');
  }, e);
  expect(lines).toEqual([{ level: 'INFO', request_id: e.requestContext.requestId, outcome: 'not_found' }]);
});

it('a refused token: the verification outcome, not the error code', async () => {
  const lines = await logged(
    () =>
      recordVerification(async () => {
        throw new ApiError('token_expired', 'The link has expired.');
      }),
    event(),
  );
  expect(lines.map((l) => l.outcome)).toEqual(['expired']);
});

it('each request has its own id', async () => {
  const [first, second] = [event(), event()];
  const logger = new Logger();
  const handler = middy()
    .use(accessLog(logger))
    .handler(async () => ({ statusCode: 200 }));
  const lines = await captureLogRecords(async () => {
    await handler(first, lambdaContext('unit'));
    await handler(second, lambdaContext('unit'));
  });
  expect(lines.map((l) => l.request_id)).toEqual([first.requestContext.requestId, second.requestContext.requestId]);
});

it('a failure that nothing formatted is logged as error, never ok', async () => {
  const logger = new Logger();
  const handler = middy()
    .use(accessLog(logger))
    .handler(async () => {
      throw new TypeError('unformatted');
    });
  const lines = await captureLogRecords(() => handler(event(), lambdaContext('unit')).catch(() => undefined));
  expect(lines.map((l) => l.outcome)).toEqual(['error']);
});
