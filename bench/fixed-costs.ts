import { ERROR_STATUS } from '../lambdas/domain/errors';
import { VERIFICATION_OUTCOMES } from '../lambdas/domain/verification-outcome';
import { routeSchemas as linkRequestSchemas } from '../lambdas/link-requests/schema';
import { PRICES } from './prices';

/*
 * The fixed monthly costs of a deployment, read from its synthesized template: what it pays each month whatever its
 * traffic (README, Cost and performance). Usage (requests, reads, log bytes) is the cost model's (prices.ts).
 */

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
interface Transformation {
  MetricNamespace: string;
  MetricName: string;
  Dimensions?: Array<{ Key: string; Value: string }>;
}

/**
 * How many values a metric filter's dimension can take, when the product fixes them: a resume's verification
 * outcome, a link request's channel, a link request's outcome (`ok` or an error code: at most every code).
 * Any other dimension takes one value per thing a team has (a credential, a legacy flow, a project): not fixed.
 */
const FIXED_DIMENSION_VALUES: Record<string, number> = {
  'Verifications/outcome': VERIFICATION_OUTCOMES.length,
  'LinkRequests/channel': linkRequestSchemas.linkRequests.body.properties.channel.enum.length,
  'LinkRequests/outcome': 1 + Object.keys(ERROR_STATUS).length,
};

export interface FixedCosts {
  /** Custom metrics whose number the deployment fixes, whatever its traffic and its number of campaigns (an upper bound). */
  readonly customMetrics: number;
  /** Metrics whose number grows with what a team has, by their metric and dimension, e.g. `Verifications by credential_id`. */
  readonly perThing: readonly string[];
  readonly alarms: number;
  /** The metrics the alarms read: an alarm on metric math reads (and pays for) each metric of its expression. */
  readonly alarmMetrics: number;
  readonly dashboards: number;
  readonly secrets: number;
  /** $ a month for each, and in all. */
  readonly dollars: { readonly customMetrics: number; readonly alarms: number; readonly dashboards: number; readonly secrets: number; readonly total: number };
}

export const fixedCosts = (resources: Resources): FixedCosts => {
  const of = (type: string) => Object.values(resources).filter((r) => r.Type === type);
  // The same metric published from several log groups (StaleKeysServed) is one metric.
  const metrics = new Map<string, number | undefined>();
  for (const filter of of('AWS::Logs::MetricFilter')) {
    for (const t of filter.Properties!.MetricTransformations as Transformation[]) {
      const keys = (t.Dimensions ?? []).map((d) => d.Key);
      const id = `${t.MetricNamespace}/${t.MetricName}{${keys.join()}}`;
      metrics.set(id, keys.length === 0 ? 1 : keys.length === 1 ? FIXED_DIMENSION_VALUES[`${t.MetricName}/${keys[0]}`] : undefined);
    }
  }
  const fixed = [...metrics.values()].filter((n): n is number => n !== undefined);
  const perThing = [...metrics.entries()].filter(([, n]) => n === undefined).map(([id]) => id.replace(/^.*\/(\w+)\{(\w+)\}$/, '$1 by $2'));
  const alarms = of('AWS::CloudWatch::Alarm');
  const alarmMetrics = alarms
    .map((a) => (a.Properties!.Metrics as Array<{ MetricStat?: unknown }> | undefined)?.filter((m) => m.MetricStat !== undefined).length ?? 1)
    .reduce((a, b) => a + b, 0);
  const customMetrics = fixed.reduce((a, b) => a + b, 0);
  const dashboards = of('AWS::CloudWatch::Dashboard').length;
  const secrets = of('AWS::SecretsManager::Secret').length;
  const cents = (n: number) => Math.round(n * 100) / 100;
  const dollars = {
    customMetrics: cents(customMetrics * PRICES.customMetricMonth),
    alarms: cents(alarmMetrics * PRICES.alarmMetricMonth),
    dashboards: cents(dashboards * PRICES.dashboardMonth),
    secrets: cents(secrets * PRICES.secretMonth),
  };
  return {
    customMetrics,
    perThing,
    alarms: alarms.length,
    alarmMetrics,
    dashboards,
    secrets,
    dollars: { ...dollars, total: cents(dollars.customMetrics + dollars.alarms + dollars.dashboards + dollars.secrets) },
  };
};
