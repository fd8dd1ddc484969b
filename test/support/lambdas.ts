import path from 'node:path';
import type { FunctionName } from '../../lambdas/http/routes';
import type { Environment, SettingName } from '../../lambdas/runtime/environment';
import { type Handler, UNHURRIED_TIMEOUT_MS } from './http';

/**
 * The test run's Lambda environment (test/setup/test-env.ts) with `values` over
 * it (`undefined`: unset, the setting's default applies): what a test passes a
 * Lambda's `fromEnvironment`, instead of writing process.env before an import.
 */
export const testEnvironment = (values: Partial<Record<SettingName, string | undefined>> = {}): Environment => ({ ...process.env, ...values });

/**
 * A Lambda built as its index.ts builds it, `createHandler(fromEnvironment(env))`, from `env` and the instance's SDK
 * clients, with the timeout `invoke` runs it with (test/support/http.ts): the budgets inside a request that derive from
 * it (lambdas/runtime/deadline.ts) are as long, so a machine slowed by load does not cut them short.
 */
export const lambda = async (name: FunctionName, env: Environment = testEnvironment()): Promise<Handler> => {
  const factory = (await import(path.join(import.meta.dirname, '..', '..', 'lambdas', name, 'handler.ts'))) as {
    fromEnvironment(env: Environment, clients: undefined, functionTimeoutMs: number): unknown;
    createHandler(deps: unknown): Handler;
  };
  return factory.createHandler(factory.fromEnvironment(env, undefined, UNHURRIED_TIMEOUT_MS));
};
