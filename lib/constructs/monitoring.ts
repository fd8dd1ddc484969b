import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { VERIFICATION_OUTCOMES } from '../../lambdas/domain/verification-outcome';
import { METRICS_NAMESPACE } from '../../lambdas/runtime/log-schema';
import { DEFAULTS } from '../defaults';
import { entriesCreatedIn, linkRequestsIn, RECOVERY_METRICS, recoveryTotalIn, searchIn, staleKeysServedIn, urlMetric, verificationsIn } from './metrics';

/** A Lambda served on a Function URL, which API Gateway's metrics do not see. */
export interface FunctionUrlWatch {
  /** Prefixes the ids of its alarms. */
  readonly name: string;
  readonly fn: lambda.IFunction;
}

/** A Lambda's failures and refusals, counted from its request lines (failure-metrics.ts). */
export interface FailureWatch {
  /** Names its alarms: `<name>Failures`, `<name>Refusals`. */
  readonly name: string;
  /** Failures (5xx outcomes). */
  readonly failures: cloudwatch.IMetric;
  /** Refusals (any outcome but `ok`). @default - no refusals alarm */
  readonly refusals?: cloudwatch.IMetric;
}

export interface MonitoringProps {
  readonly api: apigw.HttpApi;
  /** The namespace the metric filters publish to (RequestLogMetricsProps.namespace). @default METRICS_NAMESPACE */
  readonly namespace?: string;
  /** The browser-facing Lambdas, watched for throttles. */
  readonly publicFunctions: lambda.IFunction[];
  /**
   * Lambdas served on a Function URL, which API Gateway's metrics do not see:
   * each gets its own 5xx-rate and p99-latency alarms. `name` prefixes their ids.
   * @default - none
   */
  readonly functionUrls?: FunctionUrlWatch[];
  /** Where alarms notify. @default - alarms without actions (visible in the console) */
  readonly alarmTopic?: sns.ITopic;
  /**
   * The Lambdas behind the API whose p99 duration the `P99Latency` alarm
   * watches: the routes people wait on. Mint is not one: a 500-row batch takes
   * seconds by design.
   * @default - the API's own p99 latency, every route together
   */
  readonly latencyFunctions?: lambda.IFunction[];
  /**
   * Failures (5xx outcomes) and refusals (any outcome but `ok`) counted from a
   * Lambda's request lines (failure-metrics.ts): `<name>Failures` fires on any
   * failure, `<name>Refusals` on more than `refusalThreshold` refusals in 5 minutes.
   * @default - none
   */
  readonly failures?: FailureWatch[];
  /** @default 10 (refusals in 5 minutes of a Lambda its own team calls: mint, the admin routes) */
  readonly refusalThreshold?: number;
  /**
   * The 5xx-rate alarms count a period only when it had at least this many
   * requests, so one error among a handful of requests does not page anyone
   * (the `…Failures` alarms see every failure of the Lambdas a team calls).
   * @default 100 (requests in 5 minutes)
   */
  readonly errorRateMinRequests?: number;
  /** For the API and each Function URL. @default 1 (% of requests answered 5xx over 5 minutes) */
  readonly serverErrorRatePercent?: number;
  /** For the API and each Function URL. @default 1500 (ms, p99 over 5 minutes, 3 periods in a row) */
  readonly p99LatencyMs?: number;
  /** @default 200 (refused tokens in 5 minutes: someone guessing links) */
  readonly invalidTokenSpike?: number;
  /** @default DEFAULTS.entryCreationAlarmThreshold (entries created by pages, all projects, in 5 minutes: storage spam, or a page creating one per view) */
  readonly entryCreationSpike?: number;
  /** @default DEFAULTS.linkRequestAlarmThreshold (links requested by pages and accepted, all projects, in 5 minutes: a page made to message many addresses) */
  readonly linkRequestSpike?: number;
}

/** The alarms and the dashboard an operator needs for session-recovery. */
export class Monitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const namespace = props.namespace ?? METRICS_NAMESPACE;
    const verifications = verificationsIn(namespace);
    const search = searchIn(namespace);
    const recoveryTotal = recoveryTotalIn(namespace);
    const [staleKeysServed, entriesCreated, linkRequests] = [staleKeysServedIn(namespace), entriesCreatedIn(namespace), linkRequestsIn(namespace)];
    const period = Duration.minutes(5);
    const requests = props.api.metricCount({ period, statistic: 'Sum' });
    const serverErrors = props.api.metricServerError({ period, statistic: 'Sum' });
    const clientErrors = props.api.metricClientError({ period, statistic: 'Sum' });
    const p99 = props.api.metricLatency({ period, statistic: 'p99' });
    const p50 = props.api.metricLatency({ period, statistic: 'p50' });
    const minRequests = props.errorRateMinRequests ?? 100;
    const errorRate = new cloudwatch.MathExpression({
      expression: `IF(requests >= ${minRequests}, 100 * errors / requests, 0)`,
      usingMetrics: { requests, errors: serverErrors },
      label: '5xx rate (%)',
      period,
    });
    const throttles = new cloudwatch.MathExpression({
      // FILL: a function with no traffic in a period has no value there, which would leave the whole sum without one.
      expression: `SUM([${props.publicFunctions.map((_, i) => `FILL(t${i}, 0)`).join(', ')}])`,
      usingMetrics: Object.fromEntries(props.publicFunctions.map((fn, i) => [`t${i}`, fn.metricThrottles({ period, statistic: 'Sum' })])),
      label: 'Lambda throttles',
      period,
    });

    const alarm = (id: string, metric: cloudwatch.IMetric, threshold: number, description: string, evaluationPeriods = 1) => {
      const a = new cloudwatch.Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      if (props.alarmTopic) {
        // Told when an alarm fires and when it is over, so nobody has to check the console for the end of it.
        a.addAlarmAction(new actions.SnsAction(props.alarmTopic));
        a.addOkAction(new actions.SnsAction(props.alarmTopic));
      }
      this.alarms.push(a);
    };
    alarm('ServerErrorRate', errorRate, props.serverErrorRatePercent ?? 1, 'More than the allowed share of API requests answered 5xx');
    alarm('Throttles', throttles, 0, "The public Lambdas were throttled (their reserved concurrency, or the account's, was reached)");
    const latencyFunctions = props.latencyFunctions ?? [];
    const watchedLatency =
      latencyFunctions.length === 0
        ? p99
        : new cloudwatch.MathExpression({
            expression: `MAX([${latencyFunctions.map((_, i) => `d${i}`).join(', ')}])`,
            usingMetrics: Object.fromEntries(latencyFunctions.map((fn, i) => [`d${i}`, fn.metricDuration({ period, statistic: 'p99' })])),
            label: 'p99 duration, slowest public route (ms)',
            period,
          });
    alarm(
      'P99Latency',
      watchedLatency,
      props.p99LatencyMs ?? 1500,
      latencyFunctions.length === 0
        ? 'API p99 latency above budget for 15 minutes'
        : 'p99 duration of a route people wait on (resume, saves, link requests, short links) above budget for 15 minutes; batch mints are not counted',
      3,
    );
    alarm(
      'StaleKeysServed',
      staleKeysServed,
      0,
      'Keys were served from cache because Secrets Manager did not answer (or a secret could not be read): new credentials and revocations wait until it does',
    );
    for (const { name, failures, refusals } of props.failures ?? []) {
      alarm(
        `${name}Failures`,
        failures,
        0,
        `${name} answered a request with a server failure (5xx outcome in its request line); Lambda's Errors metric does not see these`,
      );
      if (refusals) {
        alarm(
          `${name}Refusals`,
          refusals,
          props.refusalThreshold ?? 10,
          `${name} refused many requests (outcomes other than ok): a broken integration, or a misconfigured project`,
        );
      }
    }
    alarm(
      'InvalidTokenSpike',
      verifications('invalid_token'),
      props.invalidTokenSpike ?? 200,
      'Many refused tokens: links being guessed or a broken integration',
    );
    alarm(
      'EntryCreationSpike',
      entriesCreated,
      props.entryCreationSpike ?? DEFAULTS.entryCreationAlarmThreshold,
      'Many entries created from browsers: storage spam, or a page that creates an entry per view (the dashboard shows which project)',
    );
    alarm(
      'LinkRequestSpike',
      linkRequests,
      props.linkRequestSpike ?? DEFAULTS.linkRequestAlarmThreshold,
      'Many links requested by pages: someone making the service message many addresses, within its bounds (the dashboard shows them by outcome and channel)',
    );
    const urlRows: cloudwatch.IWidget[][] = [];
    for (const { name, fn } of props.functionUrls ?? []) {
      const urlRequests = urlMetric(fn, 'UrlRequestCount', 'Sum');
      const urlServerErrors = urlMetric(fn, 'Url5xxCount', 'Sum');
      const urlP99 = urlMetric(fn, 'UrlRequestLatency', 'p99');
      const urlErrorRate = new cloudwatch.MathExpression({
        expression: `IF(requests >= ${minRequests}, 100 * errors / requests, 0)`,
        usingMetrics: { requests: urlRequests, errors: urlServerErrors },
        label: `${name} Function URL 5xx rate (%)`,
        period,
      });
      alarm(
        `${name}UrlServerErrorRate`,
        urlErrorRate,
        props.serverErrorRatePercent ?? 1,
        `More than the allowed share of ${name} Function URL requests answered 5xx`,
      );
      alarm(`${name}UrlP99Latency`, urlP99, props.p99LatencyMs ?? 1500, `${name} Function URL p99 latency above budget for 15 minutes`, 3);
      urlRows.push([
        new cloudwatch.GraphWidget({
          title: `${name} Function URL requests and errors`,
          left: [urlRequests, urlMetric(fn, 'Url4xxCount', 'Sum'), urlServerErrors],
          width: 12,
        }),
        new cloudwatch.GraphWidget({ title: `${name} Function URL latency (ms)`, left: [urlMetric(fn, 'UrlRequestLatency', 'p50'), urlP99], width: 12 }),
      ]);
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new cloudwatch.GraphWidget({ title: 'API requests and errors', left: [requests, clientErrors, serverErrors], width: 12 }),
          new cloudwatch.GraphWidget({ title: 'API latency (ms)', left: [p50, p99], width: 12 }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Verifications by outcome',
            left: VERIFICATION_OUTCOMES.map(verifications),
            width: 12,
          }),
          new cloudwatch.GraphWidget({ title: 'Verifications by credential', left: [search('credential_id', 'Verifications')], width: 12 }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'Legacy calls by flow', left: [search('flow_id', 'LegacyCalls')], width: 12 }),
          new cloudwatch.GraphWidget({
            title: 'Lambda throttles, and keys served stale (Secrets Manager down)',
            left: [throttles, staleKeysServed],
            width: 12,
          }),
        ],
        [new cloudwatch.GraphWidget({ title: 'Entries created from browsers, by project', left: [search('project_id', 'EntriesCreated')], width: 24 })],
        [
          new cloudwatch.GraphWidget({
            title: 'Link requests from pages, by outcome (refusals by their code)',
            left: [search('outcome', 'LinkRequests')],
            width: 12,
          }),
          new cloudwatch.GraphWidget({ title: 'Links requested by pages and accepted, by channel', left: [search('channel', 'LinkRequests')], width: 12 }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Recovery, all campaigns: links minted, resumes by people and by scanners, completions (per campaign: campaigns report)',
            left: RECOVERY_METRICS.map(recoveryTotal),
            width: 12,
          }),
          new cloudwatch.SingleValueWidget({
            title: 'Recovery totals over the time range, all campaigns',
            metrics: RECOVERY_METRICS.map(recoveryTotal),
            setPeriodToTimeRange: true,
            width: 12,
          }),
        ],
        ...urlRows,
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 })],
      ],
    });
  }
}
