import { DynamoDBClient, GetItemCommand, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, InternalServiceError, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { dynamodb, secretsManager } from '../../lambdas/adapters/clients';
import { handler } from '../../lambdas/load-entry-data/index';
import { computeToken } from '../../lambdas/domain/token';
import { ANSWER_DEADLINE_MS, inSeconds } from '../../lambdas/runtime/deadline';
import { errorOf, invoke } from '../support/http';
import { seedScenario } from '../support/seed';
import { controlClock } from '../support/clock';
import { sendTo, startStalledEndpoint } from '../support/stalled-endpoint';
import { loadEntryEvent } from '../fixtures/events';
import { lambdaContext } from '../../local/http-api-event';

// moto cannot throttle or fail on demand: these faults are injected with aws-sdk-client-mock.
// A stall is not: it is a real socket that accepts connections and never answers.
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
      ddb
        .on(GetItemCommand)
        .rejects(new ProvisionedThroughputExceededException({ message: 'Rate exceeded for table entries', $metadata: { httpStatusCode: 400 } }));
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
      const reply = await invoke(handler, loadEntryEvent(bodyFor(s)));
      expect([reply.status, reply.headers['retry-after'], errorOf(reply).code]).toEqual([503, '1', 'service_unavailable']);
    } finally {
      ddb.restore();
    }
  });

  it.each([
    [
      'Secrets Manager throttling',
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } }),
    ],
    ['a Secrets Manager 5xx', new InternalServiceError({ message: 'boom', $metadata: { httpStatusCode: 500 } })],
  ])('%s with no cached keys: 503 service_unavailable with Retry-After, never 500', async (_what, error) => {
    const sm = mockClient(SecretsManagerClient);
    try {
      sm.on(GetSecretValueCommand).rejects(error);
      const fresh = await seedScenario();
      try {
        const reply = await invoke(handler, loadEntryEvent(bodyFor(fresh)));
        expect([reply.status, reply.headers['retry-after'], errorOf(reply).code]).toEqual([503, '1', 'service_unavailable']);
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

  it('serves the last keys for up to keyMaxStaleness (15 min) while Secrets Manager fails, then answers 503 with Retry-After', async () => {
    const warm = await seedScenario();
    const clock = controlClock();
    expect((await invoke(handler, loadEntryEvent(bodyFor(warm)))).status).toBe(200);
    const sm = mockClient(SecretsManagerClient);
    try {
      sm.on(GetSecretValueCommand).rejects(new InternalServiceError({ message: 'down', $metadata: { httpStatusCode: 500 } }));
      // Past the key cache TTL, every resume tries a refetch; it fails, and the keys read 15 minutes ago still answer.
      clock.advance(900_000);
      expect((await invoke(handler, loadEntryEvent(bodyFor(warm)))).status).toBe(200);
      clock.advance(1);
      const reply = await invoke(handler, loadEntryEvent(bodyFor(warm)));
      expect([reply.status, reply.headers['retry-after'], errorOf(reply).code]).toEqual([503, '1', 'service_unavailable']);
    } finally {
      sm.restore();
      clock.restore();
      await warm.cleanup();
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

/** Every AWS call's budget (lambdas/adapters/clients.ts), well below the Lambdas' 10 s timeout. */
const RETRY_BUDGET_MS = 8_000;

describe('when AWS stalls: a real socket that accepts connections and never answers', () => {
  // One test, so the two stalls (about 6 s each) run side by side: each client is sent to one stalled endpoint.
  it('the SDK clients make 3 attempts, each abandoned by a request timeout, and a resume answers 503 with Retry-After, within the retry budget', async () => {
    for (const client of [dynamodb, secretsManager]) {
      expect(await client.config.retryStrategy()).toMatchObject({ mode: 'standard' });
      expect(await client.config.maxAttempts()).toBe(3);
    }
    const warm = await seedScenario();
    const cold = await seedScenario();
    const [silent, midBody] = await Promise.all([startStalledEndpoint('silent'), startStalledEndpoint('mid-body')]);
    let restore: Array<() => void> = [];
    try {
      // The warm project's keys are cached, so its resume reads DynamoDB only; the cold one must fetch its keys first.
      expect((await invoke(handler, loadEntryEvent(bodyFor(warm)))).status).toBe(200);
      restore = [sendTo(dynamodb, silent.endpoint), sendTo(secretsManager, midBody.endpoint)];
      // Past the budget the direct calls are aborted, so a client that waits on forever fails this test instead of hanging it.
      const abortSignal = AbortSignal.timeout(RETRY_BUDGET_MS + 1_000);

      const started = performance.now();
      const [calls, replies] = await Promise.all([
        Promise.allSettled([
          dynamodb.send(new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { entry_id: { S: 'entry_stalled' } } }), { abortSignal }),
          secretsManager.send(new GetSecretValueCommand({ SecretId: 'session-recovery-test/stalled' }), { abortSignal }),
        ]),
        Promise.all([invoke(handler, loadEntryEvent(bodyFor(cold))), invoke(handler, loadEntryEvent(bodyFor(warm)))]),
      ]);
      const elapsed = performance.now() - started;

      for (const call of calls) {
        expect(call).toMatchObject({ status: 'rejected', reason: { name: 'TimeoutError', $metadata: { attempts: 3 } } });
      }
      for (const reply of replies) {
        expect(reply.status).toBe(503);
        expect(reply.headers['retry-after']).toBe('1');
        expect(errorOf(reply)).toEqual({ code: 'service_unavailable', message: 'The service is busy. Retry shortly.' });
      }
      expect(elapsed).toBeLessThan(RETRY_BUDGET_MS);
      // Per endpoint: a direct call and a resume, 3 attempts each, each on a connection of its own that the client closed itself.
      await Promise.all([silent.idle(), midBody.idle()]);
      for (const stalled of [silent, midBody]) {
        expect(stalled.connections).toHaveLength(6);
        expect(stalled.connections.every((c) => c.bytes > 0 && c.closedByClient)).toBe(true);
      }
    } finally {
      for (const r of restore) r();
      await Promise.all([silent.close(), midBody.close()]);
      await Promise.all([warm.cleanup(), cold.cleanup()]);
    }
  }, 20_000);

  it(`a resume that meets two stalled calls (a stalled key refetch, stale keys served, then a stalled entry read) is answered 503 at the ${inSeconds(ANSWER_DEADLINE_MS)} deadline, before 8 s`, async () => {
    const s2 = await seedScenario();
    const stalled = await startStalledEndpoint('silent');
    const clock = controlClock();
    let restore: Array<() => void> = [];
    try {
      expect((await invoke(handler, loadEntryEvent(bodyFor(s2)))).status).toBe(200);
      // Past the key cache TTL and within the staleness bound: the refetch stalls, then the cached keys answer.
      clock.advance(61_000);
      restore = [sendTo(dynamodb, stalled.endpoint), sendTo(secretsManager, stalled.endpoint)];
      const started = performance.now();
      // In a Lambda of the function's own timeout (10 s), which the deadline is computed from.
      const reply = await invoke(handler, loadEntryEvent(bodyFor(s2)), lambdaContext('load-entry-data'));
      const elapsed = performance.now() - started;
      // What the stalled endpoint had seen when the answer came, before the calls left behind carry on.
      const atReply = stalled.connections.map((c) => c.closedByClient);
      expect([reply.status, reply.headers['retry-after'], errorOf(reply).code]).toEqual([503, '1', 'service_unavailable']);
      // Answered by the deadline, 2.5 s before the Lambda's 10 s timeout (its timer never fires early)...
      expect(elapsed).toBeGreaterThan(ANSWER_DEADLINE_MS - 50);
      // ...and not by the retry budget running out: the refetch's 3 attempts were over, and the entry read was still
      // in its first, whose 2 s had not passed. Told by the connections rather than by a wall-clock bound, which a
      // loaded machine stretches (the timers fire late, the deadline's as much as the SDK's).
      expect(atReply).toEqual([true, true, true, false]);
    } finally {
      for (const r of restore) r();
      clock.restore();
      await stalled.close();
      await s2.cleanup();
    }
  }, 20_000);
});
