import { environmentNames, environmentOfStack, ENVIRONMENT_NAME_PATTERN } from '../../lambdas/adapters/naming';

describe('the environment a stack serves when none is named (README, Staging and production in one account)', () => {
  it.each([
    ['SessionRecovery', 'production'],
    ['SessionRecoveryStaging', 'staging'],
    ['SessionRecovery-Eu', 'eu'],
    ['MyCheckout', 'my-checkout'],
    ['Test', 'test'],
    ['SessionRecoveryish', 'session-recoveryish'],
  ])('%s serves %s', (stack, environment) => {
    expect(environmentOfStack(stack)).toBe(environment);
    expect(environmentOfStack(stack)).toMatch(ENVIRONMENT_NAME_PATTERN);
  });

  it('names that fit 32 characters, whatever the stack name (128 characters at most)', () => {
    expect(environmentOfStack(`A${'b'.repeat(127)}`)).toMatch(ENVIRONMENT_NAME_PATTERN);
    expect(environmentOfStack('SessionRecoveryVeryLongStagingEnvironmentName-X')).toMatch(ENVIRONMENT_NAME_PATTERN);
  });

  it("production keeps the names every deployment had; any other environment's prefix is one no other's starts with", () => {
    expect(environmentNames('production')).toEqual({ secretPrefix: 'session-recovery/', metricsNamespace: 'SessionRecovery' });
    expect(environmentNames('staging')).toEqual({ secretPrefix: 'session-recovery-staging/', metricsNamespace: 'SessionRecovery/staging' });
    const prefixes = ['production', 'staging', 'staging-2', 'projects'].map((e) => environmentNames(e).secretPrefix);
    for (const a of prefixes) for (const b of prefixes) if (a !== b) expect(b.startsWith(a)).toBe(false);
  });
});
