import { awsCall } from '../../../lambdas/adapters/errors';
import { UnavailableError } from '../../../lambdas/domain/errors';

const failing = (error: unknown) => awsCall(Promise.reject(error));

describe("awsCall: what an adapter turns into the domain's UnavailableError", () => {
  it.each([
    ['throttling', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } })],
    ['DynamoDB throughput exceeded', Object.assign(new Error('x'), { name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } })],
    ['a 5xx', Object.assign(new Error('Internal'), { name: 'InternalServiceError', $fault: 'server', $metadata: { httpStatusCode: 500 } })],
    ['a timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a refused connection', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })],
  ])('%s becomes UnavailableError, naming the dependency error and keeping it as the cause', async (_what, error) => {
    const thrown = await failing(error).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(UnavailableError);
    expect(thrown).toMatchObject({ dependencyError: error.name, cause: error });
  });

  it.each([
    [
      'a missing resource, which the adapter handles',
      Object.assign(new Error('nope'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } }),
    ],
    ['a failed condition', Object.assign(new Error('cond'), { name: 'ConditionalCheckFailedException', $metadata: { httpStatusCode: 400 } })],
    ['a bug', new TypeError('x is undefined')],
  ])('%s passes through unchanged', async (_what, error) => {
    await expect(failing(error)).rejects.toBe(error);
  });

  it('returns what the call returns', async () => {
    await expect(awsCall(Promise.resolve({ Item: 1 }))).resolves.toEqual({ Item: 1 });
  });
});
