import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SessionRecoveryStack } from '../../lib/session-recovery-stack';
import { templateApp } from '../support/template-app';
import { campaignValuesPerHour } from '../../lib/constructs/log-metrics';

it('passes allowed origins, environment, prefix, cache TTL and throttling through to the resources', () => {
  const stack = new SessionRecoveryStack(templateApp(), 'Custom', {
    sessionRecovery: {
      allowedOrigins: ['https://a.example', 'https://b.example'],
      environmentName: 'staging',
      secretPrefix: 'acme/sr/',
      keyCacheTtl: Duration.seconds(30),
      keyLookupLimit: { ratePerSecond: 50, burst: 200 },
      throttle: { rateLimit: 50, burstLimit: 100 },
    },
  });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: {
      Variables: Match.objectLike({
        ALLOWED_ORIGINS: 'https://a.example,https://b.example',
        DEPLOYMENT_ENVIRONMENT: 'staging',
        SECRET_PREFIX: 'acme/sr/',
        KEY_CACHE_TTL_SECONDS: '30',
      }),
    },
  });
  // The Lambdas that read project keys from a cache (resume, legacy resume, browser saves, link requests) get the same settings.
  const keyCacheSettings = Object.values(template.findResources('AWS::Lambda::Function'))
    .map((f) => f.Properties.Environment?.Variables ?? {})
    .filter((v) => 'KEY_CACHE_TTL_SECONDS' in v)
    .map((v) => [v.KEY_CACHE_TTL_SECONDS, v.KEY_MISS_REFRESH_SECONDS, v.KEY_MAX_STALENESS_SECONDS, v.KEY_LOOKUP_RATE, v.KEY_LOOKUP_BURST]);
  expect(keyCacheSettings).toEqual([
    ['30', '5', '900', '50', '200'],
    ['30', '5', '900', '50', '200'],
    ['30', '5', '900', '50', '200'],
    ['30', '5', '900', '50', '200'],
  ]);
  template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
    DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
  });
  expect(JSON.stringify(template.toJSON())).toContain(':secret:acme/sr/projects/*');
});

it('refuses a secret prefix that does not end in "/" and an empty origin list', () => {
  expect(() => new SessionRecoveryStack(templateApp(), 'Bad', { sessionRecovery: { secretPrefix: 'no-slash' } })).toThrow(
    /secretPrefix/,
  );
  expect(() => new SessionRecoveryStack(templateApp(), 'Bad2', { sessionRecovery: { allowedOrigins: [] } })).toThrow(
    /allowedOrigins/,
  );
});

it('reserves concurrency for the public Lambdas only when asked, and refuses a reservation that is not a whole number of at least 1', () => {
  const template = Template.fromStack(
    new SessionRecoveryStack(templateApp(), 'Reserved', { sessionRecovery: { loadEntryDataReservedConcurrency: 100, legacyReservedConcurrency: 20 } }),
  );
  const reserved = Object.entries(template.findResources('AWS::Lambda::Function'))
    .filter(([, fn]) => fn.Properties.ReservedConcurrentExecutions !== undefined)
    .map(([id, fn]) => [id.replace(/[0-9A-F]{8}$/, ''), fn.Properties.ReservedConcurrentExecutions]);
  expect(reserved.sort()).toEqual([
    ['SessionRecoveryLegacyLoadEntryData', 20],
    ['SessionRecoveryLoadEntryData', 100],
  ]);
  for (const value of [0, 2.5, -1]) {
    expect(() => new SessionRecoveryStack(templateApp(), 'BadReserved', { sessionRecovery: { legacyReservedConcurrency: value } })).toThrow(
      `legacyReservedConcurrency must be a whole number of at least 1, got ${value}`,
    );
  }
});

it.each([
  [RemovalPolicy.RETAIN, 'Retain', true],
  [RemovalPolicy.DESTROY, 'Delete', false],
])('tableRemovalPolicy %s: DeletionPolicy %s, deletion protection %s', (tableRemovalPolicy, deletionPolicy, deletionProtection) => {
  const template = Template.fromStack(new SessionRecoveryStack(templateApp(), 'Table', { sessionRecovery: { tableRemovalPolicy } }));
  template.hasResource('AWS::DynamoDB::GlobalTable', {
    DeletionPolicy: deletionPolicy,
    UpdateReplacePolicy: deletionPolicy,
    Properties: Match.objectLike({ Replicas: [Match.objectLike({ DeletionProtectionEnabled: deletionProtection })] }),
  });
});

it('refuses tableRemovalPolicy SNAPSHOT, which DynamoDB tables do not have', () => {
  expect(() => new SessionRecoveryStack(templateApp(), 'Snapshot', { sessionRecovery: { tableRemovalPolicy: RemovalPolicy.SNAPSHOT } })).toThrow(/SNAPSHOT/);
});

describe('campaignsPerMonth: the cap on campaigns counted by name, against CloudWatch\'s 1,000 dimension values an hour', () => {
  const mintSettings = (stack: SessionRecoveryStack) =>
    Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('SessionRecoveryMint'))![1].Properties.Environment
      .Variables as Record<string, string>;

  it('gives mint the cap: 300 by default, the one set otherwise', () => {
    expect(mintSettings(new SessionRecoveryStack(templateApp(), 'DefaultCap')).CAMPAIGNS_PER_MONTH).toBe('300');
    expect(mintSettings(new SessionRecoveryStack(templateApp(), 'SetCap', { sessionRecovery: { campaignsPerMonth: 50 } })).CAMPAIGNS_PER_MONTH).toBe('50');
  });

  it('the default (300 a month, links of at most 30 days, completions within 7 days) reaches at most 902 values in an hour', () => {
    expect(campaignValuesPerHour(300, 30 * 86_400)).toBe(902);
  });

  it('refuses at synth a cap that could reach 1,000 values in an hour with the links\' lifetime, naming both', () => {
    expect(() => new SessionRecoveryStack(templateApp(), 'TooMany', { sessionRecovery: { campaignsPerMonth: 333 } })).toThrow(
      'campaignsPerMonth (333) with linkMaxLifetime (30 days) lets a recovery metric filter publish up to 1001 campaign values within an hour',
    );
    // Longer links span more months: 300 no longer fits with 90-day links, 200 does.
    expect(() => new SessionRecoveryStack(templateApp(), 'LongLinks', { sessionRecovery: { linkMaxLifetime: Duration.days(90) } })).toThrow(/lower campaignsPerMonth/);
    expect(() => new SessionRecoveryStack(templateApp(), 'LongLinksFewer', { sessionRecovery: { linkMaxLifetime: Duration.days(90), campaignsPerMonth: 199 } })).not.toThrow();
    expect(() => new SessionRecoveryStack(templateApp(), 'NegativeCap', { sessionRecovery: { campaignsPerMonth: -1 } })).toThrow('campaignsPerMonth must be a whole number of at least 0, got -1');
  });
});
