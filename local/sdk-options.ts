import { sdkOptions } from '../lambdas/adapters/clients';
import { FUNCTION_TIMEOUT_MS } from '../lambdas/runtime/deadline';

/**
 * The Lambdas' SDK options (lambdas/adapters/clients.ts), their timeouts in proportion to the functions' timeout: as
 * deployed at its 10 s (2 s an attempt, three attempts well inside it), longer where a runtime is given longer, so a
 * machine slowed by load does not fail calls to the emulator that the function's time would have waited for.
 */
export const sdkOptionsWithin = (functionTimeoutMs: number = FUNCTION_TIMEOUT_MS) => {
  const scale = functionTimeoutMs / FUNCTION_TIMEOUT_MS;
  const { connectionTimeout, requestTimeout, socketTimeout } = sdkOptions.requestHandler;
  return {
    ...sdkOptions,
    requestHandler: {
      ...sdkOptions.requestHandler,
      connectionTimeout: connectionTimeout * scale,
      requestTimeout: requestTimeout * scale,
      socketTimeout: socketTimeout * scale,
    },
  };
};
