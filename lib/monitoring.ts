import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import type { Construct } from 'constructs';
import type { FunctionName } from '../lambdas/http/routes';
import type { ApiFunction } from './constructs/api-function';
import { FailureMetrics } from './constructs/failure-metrics';
import { RequestLogMetrics, type RequestLogMetricsProps } from './constructs/log-metrics';
import { Monitoring } from './constructs/monitoring';
import { DEFAULTS } from './defaults';
import type { SessionRecoveryProps } from './props';

/**
 * The metrics counted from the Lambdas' request lines (log-metrics.ts, failure-metrics.ts),
 * and the alarms and dashboard on them (monitoring.ts), in `scope`, so their logical ids are the construct's.
 */
export const monitoring = (
  scope: Construct,
  props: SessionRecoveryProps,
  {
    api,
    namespace,
    functions,
    functionUrls,
  }: {
    readonly api: apigw.HttpApi;
    readonly namespace: string;
    readonly functions: Readonly<Record<FunctionName, ApiFunction>>;
    /** Which Lambdas are also served on a Function URL. */
    readonly functionUrls: { readonly legacy: boolean; readonly loadEntryData: boolean };
  },
): Monitoring => {
  const fn = functions;
  const logMetrics = (id: string, f: ApiFunction, kind?: RequestLogMetricsProps['kind']) =>
    new RequestLogMetrics(scope, id, { namespace, logGroup: f.logGroup, kind });
  logMetrics('LoadEntryDataLogMetrics', fn['load-entry-data']);
  logMetrics('EntriesLogMetrics', fn.entries, 'entries');
  logMetrics('BrowserSavesLogMetrics', fn['browser-saves'], 'saves');
  logMetrics('LinkRequestsLogMetrics', fn['link-requests'], 'links');
  logMetrics('MintLogMetrics', fn.mint, 'mint');
  if (functionUrls.legacy) logMetrics('LegacyLogMetrics', fn['legacy-load-entry-data'], 'legacy');

  return new Monitoring(scope, 'Monitoring', {
    api,
    namespace,
    publicFunctions: [
      fn['load-entry-data'],
      ...(functionUrls.legacy ? [fn['legacy-load-entry-data']] : []),
      fn['browser-saves'],
      fn['link-requests'],
      fn['short-links'],
    ],
    entryCreationSpike: props.entryCreationAlarmThreshold ?? DEFAULTS.entryCreationAlarmThreshold,
    linkRequestSpike: props.linkRequestAlarmThreshold ?? DEFAULTS.linkRequestAlarmThreshold,
    functionUrls: [
      ...(functionUrls.legacy ? [{ name: 'Legacy', fn: fn['legacy-load-entry-data'] }] : []),
      ...(functionUrls.loadEntryData ? [{ name: 'LoadEntryData', fn: fn['load-entry-data'] }] : []),
    ],
    alarmTopic: props.alarmTopic,
    latencyFunctions: [fn['load-entry-data'], fn['browser-saves'], fn['link-requests'], fn['short-links']],
    failures: [
      { name: 'Mint', f: fn.mint, refusals: true },
      { name: 'Entries', f: fn.entries, refusals: true },
      { name: 'Credentials', f: fn.credentials, refusals: true },
      { name: 'LinkRequests', f: fn['link-requests'], refusals: false },
    ].map(({ name, f, refusals }) => {
      const counted = new FailureMetrics(scope, `${name}FailureMetrics`, { logGroup: f.logGroup, namespace, name, refusals });
      return { name, failures: counted.failures, refusals: counted.refusals };
    }),
  });
};
