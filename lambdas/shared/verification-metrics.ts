import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { isAwsUnavailable } from './aws/errors';
import { isApiError } from './errors';

/** The outcome label of a verification, as the `outcome` dimension of the Verifications metric. */
export const outcomeOf = (error: unknown): string => {
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
        return 'throttled';
      default:
        return 'error';
    }
  }
  return isAwsUnavailable(error) ? 'throttled' : 'error';
};

/**
 * Runs one verification and records it as one EMF line: `Verifications` = 1 with
 * the dimensions `outcome` and, on success, `credential_id` (the id, never the
 * value), so operators see outcomes and which credential links are signed with.
 */
export const recordVerification = async <T extends { credentialId: string }>(metrics: Metrics, verify: () => Promise<T>): Promise<T> => {
  const metric = metrics.singleMetric();
  try {
    const result = await verify();
    metric.addDimensions({ outcome: 'ok', credential_id: result.credentialId }).addMetric('Verifications', MetricUnit.Count, 1);
    return result;
  } catch (error) {
    metric.addDimension('outcome', outcomeOf(error)).addMetric('Verifications', MetricUnit.Count, 1);
    throw error;
  }
};
