import { createRequire } from 'node:module';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** The Secrets Manager SDK module (commands), loaded with its client. */
export type SecretsManagerSdk = typeof import('@aws-sdk/client-secrets-manager');

export interface SecretsManagerAccess {
  readonly client: SecretsManagerClient;
  readonly sdk: SecretsManagerSdk;
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
 * 1 s + 2 s of backoff. Under 8 s either way, below the Lambdas' 10 s timeout,
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
const sdkOptions = {
  retryMode: 'standard',
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, socketTimeout: 2_000, throwOnRequestTimeout: true },
} as const;

export const dynamodb = new DynamoDBClient(sdkOptions);

/**
 * `require` from the Lambda's own folder: Node's CommonJS resolution honours
 * NODE_PATH, where the Lambda runtime keeps its AWS SDK, while an ESM `import()`
 * of a bare name ignores it (stock Node answers ERR_MODULE_NOT_FOUND). Bundled,
 * esbuild leaves a call through this local binding alone.
 */
const requireFromRuntime = createRequire(import.meta.url);

let secretsManagerAccess: Promise<SecretsManagerAccess> | undefined;

/**
 * The Secrets Manager client, loaded and created on first use: the module comes
 * from the Lambda runtime's SDK (it is not bundled, see lib/constructs/bundling.ts),
 * so cold starts do not read it and warm resumes served from the key cache never
 * load it at all.
 */
export const secretsManager = (): Promise<SecretsManagerAccess> => {
  secretsManagerAccess ??= Promise.resolve().then(() => {
    const sdk = requireFromRuntime('@aws-sdk/client-secrets-manager') as SecretsManagerSdk;
    return { sdk, client: new sdk.SecretsManagerClient(sdkOptions) };
  });
  return secretsManagerAccess;
};

/** Whether an SDK error is the named service exception (checked by name: the module is loaded lazily). */
export const isSdkError = (error: unknown, name: string): boolean =>
  typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
