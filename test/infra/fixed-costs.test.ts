import { Template } from 'aws-cdk-lib/assertions';
import { fixedCosts } from '../../bench/fixed-costs';
import { PRICES } from '../../bench/prices';
import { SessionRecoveryStack } from '../../lib/session-recovery-stack';
import { templateApp } from '../support/template-app';
import { docSection } from '../support/docs';

/*
 * The README's fixed monthly costs, read from the default deployment's template: the table is derived, and fails here
 * when an alarm, a metric filter, a dashboard or a secret is added or removed without it.
 */

const section = docSection('docs/performance.md', 'Fixed monthly costs').split('**How the cost is modelled**')[0];
const costs = fixedCosts(Template.fromStack(new SessionRecoveryStack(templateApp(), 'Default')).toJSON().Resources);
const money = (n: number) => n.toFixed(2);

it("the README's table gives the default deployment's custom metrics, alarms, dashboard and secrets, and their total", () => {
  const rows = [...section.matchAll(/^\|([^|]+)\|([^|]*)\|([^|]+)\|$/gm)].slice(2).map((m) => [m[2].trim(), m[3].trim()]);
  expect(rows).toEqual([
    [String(costs.customMetrics), money(costs.dollars.customMetrics)],
    [`${costs.alarms}, reading ${costs.alarmMetrics} metrics`, money(costs.dollars.alarms)],
    [String(costs.dashboards), money(costs.dollars.dashboards)],
    [String(costs.secrets), money(costs.dollars.secrets)],
    ['', `**${money(costs.dollars.total)}**`],
  ]);
  expect(section).toContain(`$${PRICES.customMetricMonth.toFixed(2)} a custom metric, $${PRICES.alarmMetricMonth.toFixed(2)} per metric an alarm reads`);
});

it('no metric grows with campaigns: those that grow do so per credential, browser-saves project and legacy flow, each named in the README', () => {
  expect(costs.perThing).toEqual(['Verifications by credential_id', 'EntriesCreated by project_id', 'LegacyCalls by flow_id']);
  for (const thing of costs.perThing) expect(section).toContain(`\`${thing}\``);
});
