import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SessionRecoveryStack } from '../../lib/session-recovery-stack';
import { ROUTES } from '../../lambdas/http/routes';
import { templateApp } from '../support/template-app';

const template = Template.fromStack(
  new SessionRecoveryStack(templateApp(), 'Handoff', {
    sessionRecovery: { handoffLifetime: Duration.minutes(30), handoffThrottle: { rateLimit: 4, burstLimit: 8 } },
  }),
);

describe('hand-off props', () => {
  it("handoffLifetime sets the link-requests Lambda's HANDOFF_TTL_SECONDS, and handoffThrottle the hand-off route's own limit", () => {
    const fn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('SessionRecoveryLinkRequests'))![1];
    expect(fn.Properties.Environment.Variables.HANDOFF_TTL_SECONDS).toBe('1800');
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    expect(stage.Properties.RouteSettings[ROUTES.handoff.key]).toEqual({ ThrottlingRateLimit: 4, ThrottlingBurstLimit: 8 });
  });

  it('refuses at synth a hand-off lifetime over 1 hour or under 1 minute, naming it', () => {
    for (const lifetime of [Duration.minutes(61), Duration.days(1), Duration.seconds(30)]) {
      expect(() => new SessionRecoveryStack(templateApp(), 'Long', { sessionRecovery: { handoffLifetime: lifetime } })).toThrow(
        `handoffLifetime must be between 1 minute and 1 hour, got ${lifetime.toSeconds()} seconds`,
      );
    }
    expect(() => new SessionRecoveryStack(templateApp(), 'Hour', { sessionRecovery: { handoffLifetime: Duration.hours(1) } })).not.toThrow();
  });
});
