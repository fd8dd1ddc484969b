import { Match, Template } from 'aws-cdk-lib/assertions';
import { ROUTE_LIST } from '../../lambdas/http/routes';
import { SessionRecoveryStack } from '../../lib/session-recovery-stack';
import { templateApp } from '../support/template-app';

const stack = new SessionRecoveryStack(templateApp(), 'Provisioned', { sessionRecovery: { provisionedConcurrency: 2, currentContractFunctionUrl: true } });
const template = Template.fromStack(stack);
const logicalId = (type: string, prefix: string): string => {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0];
};
const fn = logicalId('AWS::Lambda::Function', 'SessionRecoveryLoadEntryData');
const alias = logicalId('AWS::Lambda::Alias', 'SessionRecoveryLoadEntryData');
const loadEntryDataRoutes = ROUTE_LIST.filter((r) => r.fn === 'load-entry-data');

describe('provisionedConcurrency', () => {
  it('keeps that many load-entry-data instances on the alias live, on the version this deploy publishes', () => {
    template.resourceCountIs('AWS::Lambda::Alias', 1);
    template.hasResourceProperties('AWS::Lambda::Alias', {
      Name: 'live',
      FunctionName: { Ref: fn },
      FunctionVersion: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SessionRecoveryLoadEntryDataCurrentVersion'), 'Version'] },
      ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 },
    });
    expect(stack.service.loadEntryDataAlias?.aliasName).toBe('live');
  });

  it('has API Gateway invoke the alias, for every load-entry-data route (its OPTIONS too), and nothing invoke the unqualified function', () => {
    const integrations = Object.entries(template.findResources('AWS::ApiGatewayV2::Integration')).filter(([, i]) =>
      JSON.stringify(i.Properties.IntegrationUri).includes('LoadEntryData'),
    );
    expect(integrations.map(([, i]) => i.Properties.IntegrationUri)).toEqual([{ Ref: alias }]);
    const [integrationId] = integrations[0];
    for (const route of loadEntryDataRoutes) {
      for (const method of [route.method, 'OPTIONS']) {
        template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
          RouteKey: `${method} ${route.path}`,
          Target: { 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] },
        });
      }
    }
    const invokers = Object.values(template.findResources('AWS::Lambda::Permission'))
      .map((p) => p.Properties as { FunctionName: unknown; Principal: string })
      .filter((p) => JSON.stringify(p.FunctionName).includes('SessionRecoveryLoadEntryData'));
    expect(invokers.length).toBeGreaterThanOrEqual(3);
    for (const p of invokers) expect(p.FunctionName).toEqual({ Ref: alias });
  });

  it('puts the Function URL of the current contract on the alias', () => {
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', Qualifier: 'live', TargetFunctionArn: { 'Fn::GetAtt': [fn, 'Arn'] } });
  });

  it('leaves the legacy and browser-saves Lambdas unaliased', () => {
    for (const prefix of ['SessionRecoveryLegacyLoadEntryData', 'SessionRecoveryBrowserSaves']) {
      expect(Object.keys(template.findResources('AWS::Lambda::Alias')).filter((id) => id.startsWith(prefix))).toEqual([]);
    }
  });
});

describe('provisionedConcurrency at its default, 0', () => {
  const plain = Template.fromStack(new SessionRecoveryStack(templateApp(), 'OnDemand'));
  const withUrl = Template.fromStack(new SessionRecoveryStack(templateApp(), 'OnDemandUrl', { sessionRecovery: { currentContractFunctionUrl: true } }));

  it('publishes no version and no alias: API Gateway invokes the function itself', () => {
    plain.resourceCountIs('AWS::Lambda::Alias', 0);
    plain.resourceCountIs('AWS::Lambda::Version', 0);
    const [fnId] = Object.keys(plain.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('SessionRecoveryLoadEntryData'));
    plain.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationUri: { 'Fn::GetAtt': [fnId, 'Arn'] } });
  });

  it('with the Function URL, keeps the alias live (with no instances provisioned), which the URL and API Gateway invoke', () => {
    withUrl.resourceCountIs('AWS::Lambda::Alias', 1);
    withUrl.hasResourceProperties('AWS::Lambda::Alias', { Name: 'live', ProvisionedConcurrencyConfig: Match.absent() });
    withUrl.hasResourceProperties('AWS::Lambda::Url', { Qualifier: 'live' });
  });
});

it('refuses a provisioned concurrency that is not a whole number of at least 0, or above the reserved concurrency', () => {
  for (const value of [-1, 1.5]) {
    expect(() => new SessionRecoveryStack(templateApp(), 'Bad', { sessionRecovery: { provisionedConcurrency: value } })).toThrow(
      `provisionedConcurrency must be a whole number of at least 0, got ${value}`,
    );
  }
  expect(
    () => new SessionRecoveryStack(templateApp(), 'Over', { sessionRecovery: { provisionedConcurrency: 5, loadEntryDataReservedConcurrency: 4 } }),
  ).toThrow('provisionedConcurrency (5) cannot exceed loadEntryDataReservedConcurrency (4)');
});
