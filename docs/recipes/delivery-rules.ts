import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { SessionRecovery } from '../../lib/session-recovery';

/** Delivery rules for link requests: email through SES, SMS through SNS (test/infra/delivery-rules.test.ts synthesizes them). */
export const addDeliveryRules = (scope: Construct, service: SessionRecovery): void => {
  // Email through SES: sendEmail to the address the user typed, the full link in the text.
  new events.Rule(scope, 'EmailResumeLinks', {
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

  // SMS through SNS: publish to the number, the short link in the text.
  new events.Rule(scope, 'TextResumeLinks', {
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
        policyStatement: new iam.PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }),
      }),
    ],
  });
};
