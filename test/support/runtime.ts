import { type LocalRuntime, type LocalRuntimeOptions, startLocalRuntime } from '../../local/runtime';
import { UNHURRIED_TIMEOUT_MS } from './http';

/**
 * A local runtime for a test file: on free ports, against the run's moto, and with the unhurried Lambda timeout
 * (test/support/http.ts), so that neither the early answer nor the SDK's timeouts, which derive from it
 * (local/sdk-options.ts), nor a resume's campaign note (lambdas/runtime/deadline.ts) turn a request a loaded machine
 * made slow into a 503 or a lost count in a test of something else. A test of those deadlines passes the deployed
 * timeout (`functionTimeoutMs: FUNCTION_TIMEOUT_MS`).
 */
export const startTestRuntime = (options: Partial<LocalRuntimeOptions> = {}): Promise<LocalRuntime> =>
  startLocalRuntime({ port: 0, legacyPort: 0, endpoint: process.env.AWS_ENDPOINT_URL, functionTimeoutMs: UNHURRIED_TIMEOUT_MS, ...options });
