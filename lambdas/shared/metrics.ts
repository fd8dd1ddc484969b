import { Metrics } from '@aws-lambda-powertools/metrics';

/** CloudWatch metrics in Embedded Metric Format: written to the log, no API call on the request path. */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'SessionRecovery',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'session-recovery',
});
