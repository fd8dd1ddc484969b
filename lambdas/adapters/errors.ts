import { isServerError, isThrottlingError, isTransientError } from '@smithy/service-error-classification';
import { UnavailableError } from '../domain/errors';

type SdkErrorLike = Parameters<typeof isThrottlingError>[0];

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * True when an AWS call failed for a reason on AWS's side or the network's
 * (throttling, a 5xx, a timeout), after the SDK's own retries.
 */
const isAwsUnavailable = (error: unknown): boolean => {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as SdkErrorLike & { code?: unknown; name?: unknown };
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  if (e.name === 'TimeoutError' || e.name === 'ProvisionedThroughputExceededException') return true;
  if (!('$metadata' in e)) return false;
  return isThrottlingError(e) || isTransientError(e) || isServerError(e);
};

/**
 * Awaits one AWS SDK call. A failure on AWS's side or the network's becomes the
 * domain's UnavailableError (answered 503 with Retry-After, never 500); any
 * other error, such as a service exception the adapter handles, stays as it is.
 */
export const awsCall = async <T>(call: Promise<T>): Promise<T> => {
  try {
    return await call;
  } catch (error) {
    if (isAwsUnavailable(error)) throw new UnavailableError(error instanceof Error ? error.name : 'unknown', { cause: error });
    throw error;
  }
};
