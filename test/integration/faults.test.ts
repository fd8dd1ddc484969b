import { DynamoDBClient, GetItemCommand, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import {
  GetSecretValueCommand,
  InternalServiceError,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lambdas/load-entry-data/index';
import { computeToken } from '../../lambdas/shared/token';
import { errorOf, invoke } from '../support/http';
import { seedScenario } from '../support/seed';
import { loadEntryEvent } from '../fixtures/events';

// moto cannot throttle or fail on demand: these faults are injected with aws-sdk-client-mock.
const FUTURE = '2099-03-01T00:00:00Z';
const meta = { $metadata: { httpStatusCode: 500 } };

type Scenario = Awaited<ReturnType<typeof seedScenario>>;
const bodyFor = (s: Scenario) => ({
  flow_id: s.flowId,
  project_id: s.projectId,
  entry_id: s.entryId,
  token: computeToken(s.credential.secret, s.entryId, FUTURE),
  expires_at: FUTURE,
});

let s: Scenario;
beforeAll(async () => {
  s = await seedScenario();
});
afterAll(async () => {
  await s.cleanup();
});

describe('when AWS fails', () => {
  it('DynamoDB throttling becomes 503 service_unavailable with Retry-After, never 500', async () => {
    const ddb = mockClient(DynamoDBClient);
    try {
      ddb.on(GetItemCommand).rejects(
        new ProvisionedThroughputExceededException({ message: 'Rate exceeded for table entries', $metadata: { httpStatusCode: 400 } }),
      );
      const reply = await invoke(handler, loadEntryEvent(bodyFor(s)));
      expect(reply.status).toBe(503);
      expect(reply.headers['retry-after']).toBe('1');
      expect(errorOf(reply)).toEqual({ code: 'service_unavailable', message: 'The service is busy. Retry shortly.' });
      expect(reply.raw).not.toContain('Rate exceeded');
    } finally {
      ddb.restore();
    }
  });

  it('a DynamoDB 5xx becomes 503', async () => {
    const ddb = mockClient(DynamoDBClient);
    try {
      const error = Object.assign(new Error('InternalServerError'), { name: 'InternalServerError', $fault: 'server', ...meta });
      ddb.on(GetItemCommand).rejects(error);
      expect((await invoke(handler, loadEntryEvent(bodyFor(s)))).status).toBe(503);
    } finally {
      ddb.restore();
    }
  });

  it('Secrets Manager down with no cached keys: 503', async () => {
    const sm = mockClient(SecretsManagerClient);
    try {
      sm.on(GetSecretValueCommand).rejects(new InternalServiceError({ message: 'boom', $metadata: { httpStatusCode: 500 } }));
      const fresh = await seedScenario();
      try {
        const reply = await invoke(handler, loadEntryEvent(bodyFor(fresh)));
        expect(reply.status).toBe(503);
        expect(errorOf(reply).code).toBe('service_unavailable');
      } finally {
        sm.restore();
        await fresh.cleanup();
      }
    } finally {
      sm.restore();
    }
  });

  it('Secrets Manager down after the keys were cached: verification keeps working from the last keys', async () => {
    const warm = await seedScenario();
    try {
      expect((await invoke(handler, loadEntryEvent(bodyFor(warm)))).status).toBe(200);
      const sm = mockClient(SecretsManagerClient);
      try {
        sm.on(GetSecretValueCommand).rejects(new InternalServiceError({ message: 'down', $metadata: { httpStatusCode: 500 } }));
        // A bad token forces a refetch attempt, which fails: the cached keys still answer.
        const bad = await invoke(handler, loadEntryEvent({ ...bodyFor(warm), token: computeToken('nope', warm.entryId, FUTURE) }));
        expect(bad.status).toBe(401);
        expect((await invoke(handler, loadEntryEvent(bodyFor(warm)))).status).toBe(200);
      } finally {
        sm.restore();
      }
    } finally {
      await warm.cleanup();
    }
  });

  it('the SDK clients retry adaptively, 3 attempts, each bounded by a request timeout', async () => {
    const { dynamodb, secretsManager } = await import('../../lambdas/shared/aws/clients');
    for (const client of [dynamodb, (await secretsManager()).client]) {
      expect(await client.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
      expect(await client.config.maxAttempts()).toBe(3);
    }
  });

  it('an unexpected error becomes 500 internal_error with a generic message', async () => {
    const ddb = mockClient(DynamoDBClient);
    try {
      ddb.on(GetItemCommand).rejects(new TypeError('secret internal detail'));
      const reply = await invoke(handler, loadEntryEvent(bodyFor(s)));
      expect(reply.status).toBe(500);
      expect(errorOf(reply)).toEqual({ code: 'internal_error', message: 'Something went wrong on our side.' });
    } finally {
      ddb.restore();
    }
  });
});
