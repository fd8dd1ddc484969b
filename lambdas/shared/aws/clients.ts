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
 * Retry budget: 3 attempts, each bounded by a 2 s request timeout, with adaptive
 * (client-side rate limiting) backoff: under 8 s in all, below the Lambdas' 10 s
 * timeout, itself below API Gateway's 30 s integration limit.
 */
const sdkOptions = {
  retryMode: 'adaptive',
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
} as const;

export const dynamodb = new DynamoDBClient(sdkOptions);

let secretsManagerAccess: Promise<SecretsManagerAccess> | undefined;

/**
 * The Secrets Manager client, loaded and created on first use: the module comes
 * from the Lambda runtime's SDK (it is not bundled, see lib/constructs/bundling.ts),
 * so cold starts do not read it and warm resumes served from the key cache never
 * load it at all.
 */
export const secretsManager = (): Promise<SecretsManagerAccess> => {
  secretsManagerAccess ??= import('@aws-sdk/client-secrets-manager').then((sdk) => ({ sdk, client: new sdk.SecretsManagerClient(sdkOptions) }));
  return secretsManagerAccess;
};

/** Whether an SDK error is the named service exception (checked by name: the module is loaded lazily). */
export const isSdkError = (error: unknown, name: string): boolean =>
  typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
