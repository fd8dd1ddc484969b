import { Template } from 'aws-cdk-lib/assertions';
import { SessionRecoveryStack } from '../../lib/session-recovery-stack';
import { templateApp } from '../support/template-app';

/*
 * Alarms that can fire (issue 23 item 3): the throttles of a quiet function do
 * not hide the others', failures no Lambda metric sees are counted, a 5xx rate
 * needs enough requests to mean something, and batch mints stay out of p99.
 */

const stack = new SessionRecoveryStack(templateApp(), 'Watched', { env: { account: '111122223333', region: 'eu-west-1' } });
const template = Template.fromStack(stack);
type Props = Record<string, unknown> & {
  Metrics?: Array<{
    Id: string;
    Expression?: string;
    MetricStat?: { Metric: { MetricName: string; Namespace: string; Dimensions?: Array<{ Value: unknown }> }; Stat: string };
  }>;
};
const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).map(([id, r]) => [id, r.Properties as Props] as const);
const alarm = (idPart: string) => {
  const found = alarms.filter(([id]) => id.includes(`Monitoring${idPart}`));
  expect(found).toHaveLength(1);
  return found[0]![1];
};
const functionId = (dimensions: Array<{ Value: unknown }> | undefined) =>
  JSON.stringify(dimensions?.[0]?.Value).match(/"Ref":"SessionRecovery(\w+?)[0-9A-F]{8}"/)?.[1];

it("Throttles adds every public function's throttles with FILL(…, 0), so a period in which one had no traffic still has a value", () => {
  const throttles = alarm('Throttles');
  const expression = throttles.Metrics!.find((m) => m.Expression)!.Expression;
  const ids = throttles.Metrics!.filter((m) => m.MetricStat).map((m) => m.Id);
  expect(ids).toHaveLength(5);
  expect(expression).toBe(`SUM([${ids.map((id) => `FILL(${id}, 0)`).join(', ')}])`);
});

it('the 5xx-rate alarms count a period only with at least 100 requests in it', () => {
  const rates = alarms.filter(([id]) => /ServerErrorRate/.test(id)).map(([, p]) => p.Metrics!.find((m) => m.Expression)!.Expression);
  expect(rates).toEqual(['IF(requests >= 100, 100 * errors / requests, 0)', 'IF(requests >= 100, 100 * errors / requests, 0)']);
});

it('P99Latency watches the routes people wait on (resume, saves, link requests, short links), and no batch mint', () => {
  const p99 = alarm('P99Latency');
  const watched = p99
    .Metrics!.filter((m) => m.MetricStat)
    .map((m) => [m.MetricStat!.Metric.MetricName, m.MetricStat!.Stat, functionId(m.MetricStat!.Metric.Dimensions)]);
  expect(watched).toEqual([
    ['Duration', 'p99', 'LoadEntryData'],
    ['Duration', 'p99', 'BrowserSaves'],
    ['Duration', 'p99', 'LinkRequests'],
    ['Duration', 'p99', 'ShortLinks'],
  ]);
  expect(p99).toMatchObject({ Threshold: 1500, EvaluationPeriods: 3 });
});

it('alarms on any failure (5xx outcome) of mint, the entries, the credentials and the link requests, on more than 10 refusals in 5 minutes of the Lambdas a team calls, and on keys served stale', () => {
  for (const name of ['Mint', 'Entries', 'Credentials', 'LinkRequests']) {
    expect(alarm(`${name}Failures`)).toMatchObject({
      Namespace: 'SessionRecovery/watched',
      MetricName: `${name}Failures`,
      Statistic: 'Sum',
      Period: 300,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  }
  for (const name of ['Mint', 'Entries', 'Credentials']) {
    expect(alarm(`${name}Refusals`)).toMatchObject({ Namespace: 'SessionRecovery/watched', MetricName: `${name}Refusals`, Threshold: 10 });
  }
  expect(alarms.filter(([id]) => id.includes('LinkRequestsRefusals'))).toEqual([]);
  expect(alarm('StaleKeysServed')).toMatchObject({ Namespace: 'SessionRecovery/watched', MetricName: 'StaleKeysServed', Threshold: 0, Period: 300 });
  // Each counted on its own Lambda's log group: one filter a metric.
  const filters = Object.values(template.findResources('AWS::Logs::MetricFilter')).map(
    (r) => r.Properties as { LogGroupName: { Ref: string }; MetricTransformations: Array<{ MetricName: string }> },
  );
  const on = (metric: string) =>
    filters.filter((f) => f.MetricTransformations[0]!.MetricName === metric).map((f) => f.LogGroupName.Ref.replace(/[0-9A-F]{8}$/, ''));
  expect(on('MintFailures')).toEqual(['SessionRecoveryMintLogs']);
  expect(on('EntriesRefusals')).toEqual(['SessionRecoveryEntriesFunctionLogs']);
  expect(on('CredentialsFailures')).toEqual(['SessionRecoveryCredentialsLogs']);
  expect(on('LinkRequestsFailures')).toEqual(['SessionRecoveryLinkRequestsLogs']);
});

it("by default alarms above 200 invalid tokens, 1,000 entries created from browsers and 200 accepted link requests in 5 minutes (the README's spikes)", () => {
  for (const [name, threshold] of [
    ['InvalidTokenSpike', 200],
    ['EntryCreationSpike', 1000],
    ['LinkRequestSpike', 200],
  ] as const) {
    expect(alarm(name)).toMatchObject({ Threshold: threshold, Period: 300, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold' });
  }
});
