import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ROUTES } from '../../lambdas/http/routes';
import { SessionRecovery } from '../../lib/session-recovery';
import { SessionRecoveryStack } from '../../lib/session-recovery-stack';
import { templateApp } from '../support/template-app';

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

it("passes the other props of the README's Configuration table through: memory, lifetimes, retention, save size, miss refresh, staleness, route limits, the guide URL, the bounds on link requests and creations, the alarm thresholds and topic", () => {
  const app = templateApp();
  const topic = sns.Topic.fromTopicArn(new Stack(app, 'Ops'), 'Topic', 'arn:aws:sns:eu-west-1:111122223333:ops');
  const limit = (rateLimit: number) => ({ rateLimit, burstLimit: rateLimit * 2 });
  const stack = new SessionRecoveryStack(app, 'AllProps', {
    sessionRecovery: {
      memorySize: 512,
      entryRetention: Duration.days(30),
      linkDefaultLifetime: Duration.days(2),
      linkMaxLifetime: Duration.days(14),
      browserSaveMaxBytes: 32_768,
      keyMissRefreshInterval: Duration.seconds(10),
      keyMaxStaleness: Duration.minutes(5),
      adminThrottle: limit(11),
      mintThrottle: limit(12),
      mintBatchThrottle: limit(13),
      shortLinkThrottle: limit(14),
      browserSavesThrottle: { create: limit(15), progress: limit(16) },
      linkRequestThrottle: limit(17),
      legacyMigrationGuideUrl: 'https://docs.example.com/migrate',
      entryCreationAlarmThreshold: 250,
      linkRequestAlarmThreshold: 75,
      linkRequestLimits: { perRecipientPerHour: 2, perRecipientPerDay: 4, perSourcePerHour: 9, perProjectPerDay: 50 },
      entryCreationLimits: { perSourcePerHour: 30, perProjectPerDay: 600 },
      alarmTopic: topic,
    },
  });
  const template = Template.fromStack(stack);
  const variables = (prefix: string) =>
    Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(prefix))![1].Properties.Environment.Variables as Record<
      string,
      string
    >;
  const functions = Object.values(template.findResources('AWS::Lambda::Function'));
  expect(new Set(functions.map((f) => f.Properties.MemorySize))).toEqual(new Set([512]));
  // The entries Lambda keeps an erased entry's tombstone for linkMaxLifetime.
  expect(variables('SessionRecoveryEntriesFunction')).toMatchObject({ ENTRY_RETENTION_DAYS: '30', MINT_MAX_LIFETIME_SECONDS: String(14 * 86_400) });
  expect(variables('SessionRecoveryBrowserSaves')).toMatchObject({
    ENTRY_RETENTION_DAYS: '30',
    SAVE_MAX_BODY_BYTES: '32768',
    KEY_MISS_REFRESH_SECONDS: '10',
    KEY_MAX_STALENESS_SECONDS: '300',
  });
  for (const prefix of ['SessionRecoveryMint', 'SessionRecoveryLinkRequests']) {
    expect(variables(prefix)).toMatchObject({ MINT_DEFAULT_TTL_SECONDS: String(2 * 86_400), MINT_MAX_LIFETIME_SECONDS: String(14 * 86_400) });
  }
  expect(variables('SessionRecoveryLegacyLoadEntryData').LEGACY_MIGRATION_GUIDE_URL).toBe('https://docs.example.com/migrate');
  const settings = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0].Properties.RouteSettings as Record<
    string,
    { ThrottlingRateLimit: number }
  >;
  const rates = Object.fromEntries(Object.entries(settings).map(([key, r]) => [key, r.ThrottlingRateLimit]));
  expect(rates).toMatchObject({
    [ROUTES.createCredential.key]: 11,
    [ROUTES.putEntry.key]: 11,
    [ROUTES.mint.key]: 12,
    [ROUTES.mintBatch.key]: 13,
    [ROUTES.followShortLink.key]: 14,
    [ROUTES.checkShortLink.key]: 14,
    [ROUTES.createEntry.key]: 15,
    [ROUTES.saveProgress.key]: 16,
    [ROUTES.linkRequests.key]: 17,
  });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'EntriesCreated', Threshold: 250 });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'LinkRequests', Threshold: 75 });
  expect(variables('SessionRecoveryLinkRequests')).toMatchObject({
    LINK_REQUESTS_PER_RECIPIENT_HOUR: '2',
    LINK_REQUESTS_PER_RECIPIENT_DAY: '4',
    LINK_REQUESTS_PER_SOURCE_HOUR: '9',
    LINK_REQUESTS_PER_PROJECT_DAY: '50',
  });
  expect(variables('SessionRecoveryBrowserSaves')).toMatchObject({ ENTRIES_PER_SOURCE_HOUR: '30', ENTRIES_PER_PROJECT_DAY: '600' });
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
  expect(alarms).toHaveLength(16);
  for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual(['arn:aws:sns:eu-west-1:111122223333:ops']);
});

it('passes keyMissRefreshInterval and keyMaxStaleness to every Lambda that caches keys', () => {
  const template = Template.fromStack(
    new SessionRecoveryStack(templateApp(), 'Windows', {
      sessionRecovery: { keyMissRefreshInterval: Duration.seconds(2), keyMaxStaleness: Duration.minutes(5) },
    }),
  );
  const windows = Object.values(template.findResources('AWS::Lambda::Function'))
    .map((f) => f.Properties.Environment?.Variables ?? {})
    .filter((v) => 'KEY_CACHE_TTL_SECONDS' in v)
    .map((v) => [v.KEY_MISS_REFRESH_SECONDS, v.KEY_MAX_STALENESS_SECONDS]);
  expect(windows).toEqual(Array(4).fill(['2', '300']));
});

it("has every alarm notify alarmTopic, the Function URLs' own included", () => {
  const stack = new Stack(templateApp(), 'Alarmed');
  const topic = new sns.Topic(stack, 'Alarms');
  new SessionRecovery(stack, 'SessionRecovery', { alarmTopic: topic, currentContractFunctionUrl: true });
  const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
  // The API's fourteen, and a 5xx rate and a p99 latency for each of the two Function URLs.
  expect(alarms).toHaveLength(18);
  for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) }]);
});

it('refuses a bound on link requests or creations that is not a whole number of at least 1, naming it', () => {
  for (const value of [0, 2.5, -1]) {
    expect(() => new SessionRecoveryStack(templateApp(), 'BadBound', { sessionRecovery: { linkRequestLimits: { perRecipientPerDay: value } } })).toThrow(
      `linkRequestLimits.perRecipientPerDay must be a whole number of at least 1, got ${value}`,
    );
    expect(() => new SessionRecoveryStack(templateApp(), 'BadBound2', { sessionRecovery: { entryCreationLimits: { perSourcePerHour: value } } })).toThrow(
      `entryCreationLimits.perSourcePerHour must be a whole number of at least 1, got ${value}`,
    );
  }
});

it('refuses a secret prefix that does not end in "/" and an empty origin list', () => {
  expect(() => new SessionRecoveryStack(templateApp(), 'Bad', { sessionRecovery: { secretPrefix: 'no-slash' } })).toThrow(/secretPrefix/);
  expect(() => new SessionRecoveryStack(templateApp(), 'Bad2', { sessionRecovery: { allowedOrigins: [] } })).toThrow(/allowedOrigins/);
});

it('refuses, at synth, a deployment-wide origin wildcard over a public suffix, naming it', () => {
  for (const wildcard of ['https://*.com', 'https://*.vercel.app', 'https://*.co.uk']) {
    const rest = wildcard.slice('https://*.'.length);
    expect(() => new SessionRecoveryStack(templateApp(), 'Wide', { sessionRecovery: { allowedOrigins: ['https://www.example.com', wildcard] } })).toThrow(
      `allowedOrigins: ${wildcard} would match every site under ${rest}, a public suffix others register names under: list your own domain instead, such as https://*.your-site.${rest}`,
    );
  }
  expect(
    () => new SessionRecoveryStack(templateApp(), 'Own', { sessionRecovery: { allowedOrigins: ['https://*.example.com', 'https://*.quiz.vercel.app'] } }),
  ).not.toThrow();
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

describe('campaigns cost no metric of their own', () => {
  it('no metric filter has a dimension per campaign, so 90-day links need no cap on campaigns either', () => {
    const template = Template.fromStack(new SessionRecoveryStack(templateApp(), 'LongLinks', { sessionRecovery: { linkMaxLifetime: Duration.days(90) } }));
    const dimensions = Object.values(template.findResources('AWS::Logs::MetricFilter')).flatMap((r) =>
      (r.Properties.MetricTransformations as Array<{ Dimensions?: Array<{ Key: string; Value: string }> }>).flatMap((t) => t.Dimensions ?? []),
    );
    expect(dimensions.filter((d) => /campaign|human|early/.test(`${d.Key} ${d.Value}`))).toEqual([]);
    const mint = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('SessionRecoveryMint'))![1];
    expect(Object.keys(mint.Properties.Environment.Variables as object)).not.toContain('CAMPAIGNS_PER_MONTH');
  });
});
