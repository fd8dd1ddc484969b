import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * SDK clients, created once per Lambda instance so warm invocations reuse their
 * connections. The endpoint comes from the standard AWS_ENDPOINT_URL variable,
 * which the local runtime and the tests point at the emulator: there is no
 * second code path for local runs.
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

let secretsManagerClient: SecretsManagerClient | undefined;

/** Created on first use: warm resumes served from the key cache never pay for it. */
export const secretsManager = (): SecretsManagerClient => {
  secretsManagerClient ??= new SecretsManagerClient(sdkOptions);
  return secretsManagerClient;
};
