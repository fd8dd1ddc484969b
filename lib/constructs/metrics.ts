import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';

// The metrics Monitoring (monitoring.ts) alarms on and charts, by name.

/**
 * The recovery metrics (log-metrics.ts): totals over every campaign, and links
 * without one. A campaign's own figures are counters in the table, read through
 * `GET /v1/projects/{project_id}/campaigns` (README, Measuring recovery): no
 * metric has a dimension per campaign.
 */
export const RECOVERY_METRICS = ['LinksMinted', 'Resumes', 'EarlyResumes', 'Completions'] as const;
export const recoveryTotalIn = (namespace: string) => (metricName: (typeof RECOVERY_METRICS)[number]) =>
  new cloudwatch.Metric({ namespace, metricName, statistic: 'Sum', period: Duration.minutes(5) });

/** Counted from the request log lines by metric filters (log-metrics.ts). */
export const verificationsIn = (namespace: string) => (outcome: string) =>
  new cloudwatch.Metric({
    namespace,
    metricName: 'Verifications',
    dimensionsMap: { outcome },
    statistic: 'Sum',
    period: Duration.minutes(5),
  });
/** Requests a cached key answered because Secrets Manager did not (log-metrics.ts). */
export const staleKeysServedIn = (namespace: string) =>
  new cloudwatch.Metric({
    namespace,
    metricName: 'StaleKeysServed',
    statistic: 'Sum',
    period: Duration.minutes(5),
  });
/** Entries pages created (browser saves), all projects together (log-metrics.ts). */
export const entriesCreatedIn = (namespace: string) =>
  new cloudwatch.Metric({
    namespace,
    metricName: 'EntriesCreated',
    statistic: 'Sum',
    period: Duration.minutes(5),
  });
/** Links pages requested and the service accepted, all projects together (log-metrics.ts). */
export const linkRequestsIn = (namespace: string) =>
  new cloudwatch.Metric({
    namespace,
    metricName: 'LinkRequests',
    statistic: 'Sum',
    period: Duration.minutes(5),
  });
/** A Function URL metric: Lambda publishes them by function name (for `$LATEST`, which the URLs serve). */
export const urlMetric = (fn: lambda.IFunction, metricName: string, statistic: string) =>
  new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName, dimensionsMap: { FunctionName: fn.functionName }, statistic, period: Duration.minutes(5) });
/** One line per value of `dimension` (each credential, each legacy flow). */
export const searchIn = (namespace: string) => (dimension: string, metricName: string) =>
  new cloudwatch.MathExpression({
    expression: `SEARCH('{${namespace},${dimension}} MetricName="${metricName}"', 'Sum', 300)`,
    label: '',
    period: Duration.minutes(5),
  });
