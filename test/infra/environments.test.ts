import { Template } from 'aws-cdk-lib/assertions';
import { SessionRecoveryStack } from '../../lib/session-recovery-stack';
import { templateApp } from '../support/template-app';

/*
 * Two stacks of the app in one account and region, differing only in their
 * name (`-c stackName=SessionRecoveryStaging`): everything either names at run
 * time is its own (README, Staging and production in one account).
 */

type Json = unknown;
const env = { account: '111122223333', region: 'eu-west-1' };
const app = templateApp();
const stacks = [new SessionRecoveryStack(app, 'SessionRecovery', { env }), new SessionRecoveryStack(app, 'SessionRecoveryStaging', { env })];
type TemplateJson = { Resources: Record<string, { Type: string; Properties?: Record<string, Json> }> };
const [production, staging] = stacks.map((stack) => Template.fromStack(stack).toJSON() as TemplateJson) as [TemplateJson, TemplateJson];

/** Every string in `value` that `Fn::Join` would build, with references left as `${Ref}` placeholders. */
const strings = (value: Json): string[] => {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') {
    const record = value as Record<string, Json>;
    const join = record['Fn::Join'] as [string, Json[]] | undefined;
    if (join) return [join[1].map((part) => (typeof part === 'string' ? part : '${ref}')).join(join[0])];
    return Object.values(record).flatMap(strings);
  }
  return [];
};
const resources = (t: TemplateJson, type: string) => Object.values(t.Resources).filter((r) => r.Type === type);

/** The secret ARN patterns of every IAM statement. */
const secretPatterns = (t: TemplateJson) =>
  new Set(
    resources(t, 'AWS::IAM::Policy')
      .flatMap((p) => strings((p.Properties!.PolicyDocument as { Statement: { Resource: Json }[] }).Statement.map((s) => s.Resource)))
      .filter((s) => s.includes(':secret:'))
      .map((s) => s.slice(s.indexOf(':secret:'))),
  );
const namespaces = (t: TemplateJson) =>
  new Set(
    resources(t, 'AWS::Logs::MetricFilter').flatMap((f) =>
      (f.Properties!.MetricTransformations as { MetricNamespace: string }[]).map((m) => m.MetricNamespace),
    ),
  );
const alarmNamespaces = (t: TemplateJson) =>
  new Set(
    resources(t, 'AWS::CloudWatch::Alarm').flatMap((a) => {
      const p = a.Properties as { Namespace?: string; Metrics?: { MetricStat?: { Metric: { Namespace: string } } }[] };
      return [p.Namespace, ...(p.Metrics ?? []).map((m) => m.MetricStat?.Metric.Namespace)].filter(
        (n): n is string => n !== undefined && !n.startsWith('AWS/'),
      );
    }),
  );
/** The properties that name a resource account- and region-wide (two resources cannot both have one). */
const NAMES: Record<string, string> = {
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::Events::EventBus': 'Name',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::CloudWatch::Dashboard': 'DashboardName',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::SNS::Topic': 'TopicName',
};
/** Such names given in the template (what is absent, CloudFormation makes up from the stack's name). */
const explicitNames = (t: TemplateJson) =>
  new Set(
    Object.values(t.Resources).flatMap((r) => (NAMES[r.Type] && r.Properties?.[NAMES[r.Type]!] !== undefined ? strings(r.Properties[NAMES[r.Type]!]) : [])),
  );
const variables = (t: TemplateJson, name: string) =>
  new Set(
    resources(t, 'AWS::Lambda::Function')
      .map((f) => (f.Properties!.Environment as { Variables: Record<string, Json> } | undefined)?.Variables[name])
      .filter((v) => v !== undefined)
      .map((v) => JSON.stringify(v)),
  );
const overlap = <T>(a: Set<T>, b: Set<T>) => [...a].filter((x) => b.has(x));

it('the secrets each stack may touch are under prefixes of its own: no ARN pattern of one matches a secret of the other', () => {
  const [p, s] = [secretPatterns(production), secretPatterns(staging)];
  expect([...p].sort()).toEqual([':secret:session-recovery/legacy-flows/*', ':secret:session-recovery/projects/*']);
  expect([...s].sort()).toEqual([':secret:session-recovery-staging/legacy-flows/*', ':secret:session-recovery-staging/projects/*']);
  expect(overlap(p, s)).toEqual([]);
  // Neither prefix starts the other, so no wildcard reaches across.
  const prefixes = [...p, ...s].map((pattern) => pattern.replace(/\*$/, ''));
  for (const a of prefixes) for (const b of prefixes) if (a !== b) expect([a, b.startsWith(a)]).toEqual([a, false]);
  expect(variables(production, 'SECRET_PREFIX')).toEqual(new Set(['"session-recovery/"']));
  expect(variables(staging, 'SECRET_PREFIX')).toEqual(new Set(['"session-recovery-staging/"']));
});

it('each serves its own environment and publishes its metrics, which its alarms watch, under a namespace of its own', () => {
  expect(variables(production, 'DEPLOYMENT_ENVIRONMENT')).toEqual(new Set(['"production"']));
  expect(variables(staging, 'DEPLOYMENT_ENVIRONMENT')).toEqual(new Set(['"staging"']));
  expect(namespaces(production)).toEqual(new Set(['SessionRecovery']));
  expect(namespaces(staging)).toEqual(new Set(['SessionRecovery/staging']));
  expect(alarmNamespaces(production)).toEqual(new Set(['SessionRecovery']));
  expect(alarmNamespaces(staging)).toEqual(new Set(['SessionRecovery/staging']));
  const dashboards = (t: TemplateJson) => strings(resources(t, 'AWS::CloudWatch::Dashboard').map((d) => d.Properties!.DashboardBody)).join('');
  expect(dashboards(staging)).not.toMatch(/"SessionRecovery"|\{SessionRecovery,/);
});

it("no name either gives a resource (bus, log groups, save key, table) is the other's, and the save key and bus are its own resources", () => {
  expect(overlap(explicitNames(production), explicitNames(staging))).toEqual([]);
  // Unnamed, CloudFormation names them after the stack: each stack's Lambdas point at their own.
  for (const t of [production, staging]) {
    expect([...variables(t, 'SAVE_KEY_SECRET')]).toEqual([expect.stringMatching(/^\{"Ref":"SessionRecoverySaveKey\w+"\}$/)]);
    expect(resources(t, 'AWS::SecretsManager::Secret').map((r) => r.Properties!.Name)).toEqual([undefined]);
  }
  const busNames = [production, staging].map((t) =>
    resources(t, 'AWS::Events::EventBus')
      .map((b) => strings(b.Properties!.Name))
      .flat(),
  );
  // CDK names the bus after its construct path, stack included: a hash of its own in each.
  expect(busNames).toEqual([
    [expect.stringMatching(/^SessionRecoveryEventBus[0-9A-F]{8}$/)],
    [expect.stringMatching(/^SessionRecoveryStagingSessionRecoveryEventBus[0-9A-F]{8}$/)],
  ]);
  expect(busNames[0]).not.toEqual(busNames[1]);
});
