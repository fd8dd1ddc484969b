import { isAwsUnavailable } from '../adapters/errors';
import { isApiError, LookupLimitedError } from './errors';
import type { VerificationOutcome } from '../runtime/log-schema';

/** The outcome label of a failed verification (the `outcome` of its log line and metric). */
export const outcomeOf = (error: unknown): VerificationOutcome => {
  if (isApiError(error)) {
    switch (error.code) {
      case 'invalid_token':
        return error.cause instanceof LookupLimitedError ? 'lookup_limited' : 'invalid_token';
      case 'token_expired':
        return 'expired';
      case 'entry_not_found':
        return 'not_found';
      case 'link_revoked':
        return 'revoked';
      case 'forbidden':
        return 'origin_refused';
      case 'service_unavailable':
        return 'throttled';
      default:
        return 'error';
    }
  }
  return isAwsUnavailable(error) ? 'throttled' : 'error';
};

const OUTCOME = Symbol('verificationOutcome');

/** The label `recordVerification` put on an error, if it did. */
export const verificationOutcomeOf = (error: unknown): VerificationOutcome | undefined =>
  typeof error === 'object' && error !== null ? (error as { [OUTCOME]?: VerificationOutcome })[OUTCOME] : undefined;

/**
 * Runs one verification. A failure is rethrown unchanged except for its outcome
 * label, which the request's log line then carries instead of the error code;
 * a success is logged as `ok`. The label travels on the error itself, so it
 * belongs to this request alone.
 */
export const recordVerification = async <T>(verify: () => Promise<T>): Promise<T> => {
  try {
    return await verify();
  } catch (error) {
    const labelled = typeof error === 'object' && error !== null ? error : new Error(String(error));
    Object.defineProperty(labelled, OUTCOME, { value: outcomeOf(error), enumerable: false });
    throw labelled;
  }
};
