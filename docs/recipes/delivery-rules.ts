import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { SessionRecovery } from '../../lib/session-recovery';

/** Delivery rules for link requests: email through SES, SMS through SNS (test/infra/delivery-rules.test.ts synthesizes them). */
export const addDeliveryRules = (scope: Construct, service: SessionRecovery): sqs.Queue => {
  // Link requests EventBridge could not hand to their target after 24 hours of retries: kept 14 days, to alarm on and replay.
  const undelivered = new sqs.Queue(scope, 'UndeliveredResumeLinks', { retentionPeriod: Duration.days(14), enforceSSL: true });
  const withDeadLetterQueue = (rule: events.Rule) => {
    // AwsApi targets take no dead-letter queue of their own: set it on the rule's one target.
    const cfn = rule.node.defaultChild as events.CfnRule;
    cfn.addPropertyOverride('Targets.0.DeadLetterConfig', { Arn: undelivered.queueArn });
    cfn.addPropertyOverride('Targets.0.RetryPolicy', { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 });
    undelivered.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [undelivered.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
      }),
    );
  };

  // Email through SES: sendEmail to the address the user typed, the full link in the text.
  const email = new events.Rule(scope, 'EmailResumeLinks', {
    eventBus: service.eventBus,
    eventPattern: { source: ['session-recovery'], detailType: ['Resume Link Requested'], detail: { channel: ['email'], to: [{ exists: true }] } },
    targets: [
      new targets.AwsApi({
        service: 'SESV2',
        action: 'sendEmail',
        parameters: {
          FromEmailAddress: 'no-reply@example.com',
          Destination: { ToAddresses: [events.EventField.fromPath('$.detail.to')] },
          Content: {
            Simple: {
              Subject: { Data: 'Continue where you left off' },
              Body: { Text: { Data: `Open this link to carry on: ${events.EventField.fromPath('$.detail.url')}` } },
            },
          },
        },
        policyStatement: new iam.PolicyStatement({ actions: ['ses:SendEmail'], resources: ['arn:aws:ses:*:*:identity/example.com'] }),
      }),
    ],
  });

  withDeadLetterQueue(email);

  // SMS through SNS: publish to the number, the short link in the text.
  const sms = new events.Rule(scope, 'TextResumeLinks', {
    eventBus: service.eventBus,
    eventPattern: { source: ['session-recovery'], detailType: ['Resume Link Requested'], detail: { channel: ['sms'], to: [{ exists: true }] } },
    targets: [
      new targets.AwsApi({
        service: 'SNS',
        action: 'publish',
        parameters: {
          PhoneNumber: events.EventField.fromPath('$.detail.to'),
          Message: `Continue where you left off: ${events.EventField.fromPath('$.detail.short_url')}`,
        },
        // A phone number has no ARN, so a text needs Resource "*": NotResource keeps every topic and endpoint (all ARNs) out.
        policyStatement: new iam.PolicyStatement({ actions: ['sns:Publish'], notResources: ['arn:aws:sns:*:*:*'] }),
      }),
    ],
  });
  withDeadLetterQueue(sms);
  return undelivered;
};
