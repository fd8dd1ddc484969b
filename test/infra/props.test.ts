import { App, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SessionRecoveryStack } from '../../lib/session-recovery-stack';

it('passes allowed origins, environment, prefix, cache TTL and throttling through to the resources', () => {
  const stack = new SessionRecoveryStack(new App(), 'Custom', {
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
  // Both public Lambdas get the same key cache settings.
  const keyCacheSettings = Object.values(template.findResources('AWS::Lambda::Function'))
    .map((f) => f.Properties.Environment?.Variables ?? {})
    .filter((v) => 'KEY_CACHE_TTL_SECONDS' in v)
    .map((v) => [v.KEY_CACHE_TTL_SECONDS, v.KEY_MISS_REFRESH_SECONDS, v.KEY_MAX_STALENESS_SECONDS, v.KEY_LOOKUP_RATE, v.KEY_LOOKUP_BURST]);
  expect(keyCacheSettings).toEqual([
    ['30', '5', '900', '50', '200'],
    ['30', '5', '900', '50', '200'],
  ]);
  template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
    DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
  });
  expect(JSON.stringify(template.toJSON())).toContain(':secret:acme/sr/projects/*');
});

it('refuses a secret prefix that does not end in "/" and an empty origin list', () => {
  expect(() => new SessionRecoveryStack(new App(), 'Bad', { sessionRecovery: { secretPrefix: 'no-slash' } })).toThrow(
    /secretPrefix/,
  );
  expect(() => new SessionRecoveryStack(new App(), 'Bad2', { sessionRecovery: { allowedOrigins: [] } })).toThrow(
    /allowedOrigins/,
  );
});
