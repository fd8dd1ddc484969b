import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ERROR_STATUS } from '../../lambdas/domain/errors';

const { all, any, exists, stringValue } = logs.FilterPattern;

/** The outcomes that are the service's own failure (a 5xx answer): never the caller's doing. */
export const SERVER_FAILURE_CODES = Object.entries(ERROR_STATUS)
  .filter(([, status]) => status >= 500)
  .map(([code]) => code);
/** Request lines that end in a server failure. */
export const FAILURE_LINES = any(...SERVER_FAILURE_CODES.map((code) => stringValue('$.outcome', '=', code)));
/** Request lines of any outcome but `ok`: a refusal (4xx) or a failure (5xx). */
export const NOT_OK_LINES = all(exists('$.outcome'), stringValue('$.outcome', '!=', 'ok'));

export interface FailureMetricsProps {
  readonly logGroup: logs.ILogGroup;
  /** The deployment's metric namespace. */
  readonly namespace: string;
  /** Prefixes the metric names: `<name>Failures`, `<name>Refusals`. */
  readonly name: string;
  /** Also count refusals (any outcome but `ok`). @default false */
  readonly refusals?: boolean;
}

/**
 * What goes wrong in a Lambda whose errors no other metric sees: mint, invoked
 * directly, answers its errors as values (Lambda's `Errors` stays 0), and the
 * admin and link-request Lambdas' 5xx are lost among the API's. Counted from
 * each request's one line by metric filters, like log-metrics.ts: `<name>Failures`
 * (5xx outcomes) and, for the Lambdas a team calls itself, `<name>Refusals`
 * (any outcome but `ok`). One or two metrics each, whatever the traffic.
 */
export class FailureMetrics extends Construct {
  readonly failures: cloudwatch.Metric;
  readonly refusals?: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: FailureMetricsProps) {
    super(scope, id);
    const count = (metricName: string, filterPattern: logs.IFilterPattern) => {
      new logs.MetricFilter(this, metricName, {
        logGroup: props.logGroup,
        filterPattern,
        metricNamespace: props.namespace,
        metricName,
        metricValue: '1',
        unit: cloudwatch.Unit.COUNT,
      });
      return new cloudwatch.Metric({ namespace: props.namespace, metricName, statistic: 'Sum', period: Duration.minutes(5) });
    };
    this.failures = count(`${props.name}Failures`, FAILURE_LINES);
    if (props.refusals) this.refusals = count(`${props.name}Refusals`, NOT_OK_LINES);
  }
}
