import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsClients } from '../../lambdas/adapters/clients';
import type { FunctionName } from '../../lambdas/http/routes';
import { sdkOptionsWithin } from '../../local/sdk-options';
import type { Environment, SettingName } from '../../lambdas/runtime/environment';
import { type Handler, UNHURRIED_TIMEOUT_MS } from './http';

/**
 * The test run's Lambda environment (test/setup/test-env.ts) with `values` over
 * it (`undefined`: unset, the setting's default applies): what a test passes a
 * Lambda's `fromEnvironment`, instead of writing process.env before an import.
 */
export const testEnvironment = (values: Partial<Record<SettingName, string | undefined>> = {}): Environment => ({ ...process.env, ...values });

let unhurried: AwsClients | undefined;
/**
 * SDK clients for the run's moto whose timeouts are in proportion to the unhurried Lambda timeout (local/runtime.ts,
 * sdkOptionsWithin), one pair per test file: for a test whose handler makes many calls at once, which a loaded machine
 * may keep past the deployed 2 s an attempt. Tests that inject faults into the instance's clients
 * (lambdas/adapters/clients.ts) build their handler over those instead.
 */
export const unhurriedClients = (): AwsClients =>
  (unhurried ??= {
    dynamodb: new DynamoDBClient(sdkOptionsWithin(UNHURRIED_TIMEOUT_MS)),
    secretsManager: new SecretsManagerClient(sdkOptionsWithin(UNHURRIED_TIMEOUT_MS)),
  });

/**
 * A Lambda built as its index.ts builds it, `createHandler(fromEnvironment(env))`, from `env` and the instance's SDK
 * clients (or `clients`), with the timeout `invoke` runs it with (test/support/http.ts): the budgets inside a request
 * that derive from it (lambdas/runtime/deadline.ts) are as long, so a machine slowed by load does not cut them short.
 */
export const lambda = async (name: FunctionName, env: Environment = testEnvironment(), clients?: AwsClients): Promise<Handler> => {
  const factory = (await import(path.join(import.meta.dirname, '..', '..', 'lambdas', name, 'handler.ts'))) as {
    fromEnvironment(env: Environment, clients: AwsClients | undefined, functionTimeoutMs: number): unknown;
    createHandler(deps: unknown): Handler;
  };
  return factory.createHandler(factory.fromEnvironment(env, clients, UNHURRIED_TIMEOUT_MS));
};
