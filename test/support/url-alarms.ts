import type { Template } from 'aws-cdk-lib/assertions';

interface MetricStat {
  Metric: { Namespace: string; MetricName: string; Dimensions: Array<{ Name: string; Value: unknown }> };
  Stat: string;
}
interface AlarmProperties {
  Namespace?: string;
  MetricName?: string;
  Dimensions?: Array<{ Name: string; Value: unknown }>;
  ExtendedStatistic?: string;
  Metrics?: Array<{ Expression?: string; MetricStat?: MetricStat }>;
  Threshold: number;
  EvaluationPeriods: number;
}

/**
 * The Function URL alarms of the Lambda whose logical id starts with `prefix`,
 * each as the AWS/Lambda metrics it reads (`Stat:MetricName`), its expression,
 * threshold and periods.
 */
export const functionUrlAlarms = (template: Template, prefix: string) => {
  const [fnId] = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith(prefix));
  const onFunction = (dimensions: AlarmProperties['Dimensions']) =>
    JSON.stringify(dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: { Ref: fnId } }]);
  return Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .map((a) => a.Properties as AlarmProperties)
    .map((p) => {
      const stats = p.Metrics
        ? p.Metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat!)
        : [{ Metric: { Namespace: p.Namespace!, MetricName: p.MetricName!, Dimensions: p.Dimensions! }, Stat: p.ExtendedStatistic! }];
      return { p, stats };
    })
    .filter(({ stats }) => stats.every((s) => s.Metric.Namespace === 'AWS/Lambda' && s.Metric.MetricName.startsWith('Url') && onFunction(s.Metric.Dimensions)))
    .map(({ p, stats }) => ({
      metrics: stats.map((s) => `${s.Stat}:${s.Metric.MetricName}`),
      expression: p.Metrics?.find((m) => m.Expression)?.Expression,
      threshold: p.Threshold,
      periods: p.EvaluationPeriods,
    }));
};

/** What every Function URL is watched with: its 5xx rate over 1 % in 5 minutes (of at least 100 requests), and its p99 latency over 1.5 s for 15. */
export const EXPECTED_URL_ALARMS = [
  { metrics: ['Sum:UrlRequestCount', 'Sum:Url5xxCount'], expression: 'IF(requests >= 100, 100 * errors / requests, 0)', threshold: 1, periods: 1 },
  { metrics: ['p99:UrlRequestLatency'], expression: undefined, threshold: 1500, periods: 3 },
];
