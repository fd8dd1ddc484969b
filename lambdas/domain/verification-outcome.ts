import { isApiError, LookupLimitedError, UnavailableError } from './errors';

/**
 * The `outcome` of a request that reached token verification: the `outcome`
 * dimension of the `Verifications` metric (lib/constructs/log-metrics.ts).
 */
export const VERIFICATION_OUTCOMES = [
  'ok',
  'invalid_token',
  'expired',
  'not_found',
  'revoked',
  'origin_refused',
  // Answered 503 without a key read: the instance's bound on lookups for ids outside the project index was reached.
  'lookup_limited',
  'throttled',
  'error',
] as const;
export type VerificationOutcome = (typeof VERIFICATION_OUTCOMES)[number];

/** The outcome label of a failed verification (the `outcome` of its log line and metric). */
export const outcomeOf = (error: unknown): VerificationOutcome => {
  if (isApiError(error)) {
    switch (error.code) {
      case 'invalid_token':
        return 'invalid_token';
      case 'token_expired':
        return 'expired';
      case 'entry_not_found':
        return 'not_found';
      case 'link_revoked':
        return 'revoked';
      case 'forbidden':
        return 'origin_refused';
      case 'service_unavailable':
        return error.cause instanceof LookupLimitedError ? 'lookup_limited' : 'throttled';
      default:
        return 'error';
    }
  }
  return error instanceof UnavailableError ? 'throttled' : 'error';
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
