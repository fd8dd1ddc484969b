import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * The SDK clients a Lambda's adapters send through. In AWS, the singletons
 * below (and event-bus.ts's EventBridge client, created on first use); the
 * local runtime passes clients of its own, pointed at its emulator.
 */
export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly secretsManager: SecretsManagerClient;
  /** Created on first use: most Lambdas never put an event. */
  readonly eventBridge?: () => EventBridgeClient;
}

/**
 * SDK clients, created once per Lambda instance so warm invocations reuse their
 * connections (the SDK's HTTP agent keeps them alive). The endpoint comes from
 * the standard AWS_ENDPOINT_URL variable, which the local runtime and the tests
 * point at the emulator: there is no second code path for local runs.
 *
 * Retry budget of one AWS call: 3 attempts, each abandoned after 2 s without an
 * answer (no connection after 1 s, no response headers after 2 s, or a 2 s pause
 * in the body). A stalled AWS fails the call after 3 × 2 s plus a few hundred
 * milliseconds of backoff; a throttling one answers at once and adds at most
 * 1 s + 2 s of backoff. Under 8 s either way, below the Lambdas' timeout (runtime/deadline.ts),
 * itself below API Gateway's 30 s integration limit.
 *
 * Standard retries, not adaptive: the adaptive mode's client-side rate limiter
 * can hold each attempt up to 2 s after a throttle (it refills at 0.5 requests/s
 * at least), which would break the budget; a browser waiting on a resume is
 * better served by a prompt 503 with Retry-After. The standard mode's retry
 * quota still stops an instance from retrying into an outage.
 *
 * `throwOnRequestTimeout`: without it the SDK's HTTP handler only logs a warning
 * when `requestTimeout` passes, and the call waits on. `socketTimeout` covers an
 * answer that stops halfway, after its headers.
 */
export const sdkOptions = {
  retryMode: 'standard',
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, socketTimeout: 2_000, throwOnRequestTimeout: true },
} as const;

export const dynamodb = new DynamoDBClient(sdkOptions);

/**
 * Bundled and tree-shaken like DynamoDB's (each adapter imports only the commands
 * it sends), not required from the Lambda runtime's own SDK: that loads a second,
 * CommonJS copy of the SDK's core on the first request that misses the key
 * cache, about 75 ms of what a user waits for on a new instance
 * (bench/HISTORY.md, step 14), for 14 KB of bundle saved.
 */
export const secretsManager = new SecretsManagerClient(sdkOptions);
