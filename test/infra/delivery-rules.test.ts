import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { addDeliveryRules } from '../../docs/recipes/delivery-rules';
import { SessionRecovery } from '../../lib/session-recovery';
import { templateApp } from '../support/template-app';
import { docText } from '../support/docs';

const root = path.join(import.meta.dirname, '..', '..');
const recipe = readFileSync(path.join(root, 'docs', 'recipes', 'delivery-rules.ts'), 'utf8');

const stack = new Stack(templateApp(), 'Delivery');
const service = new SessionRecovery(stack, 'SessionRecovery');
addDeliveryRules(stack, service);
const template = Template.fromStack(stack);

it('the README shows the delivery rules recipe as it is', () => {
  expect(docText('docs/browser-saves.md')).toContain(`\`\`\`ts\n${recipe}\`\`\``);
});

it.each([
  ['email', 'SESV2', 'sendEmail'],
  ['sms', 'SNS', 'publish'],
])("delivers %s link requests from the deployment's bus with %s %s, the address and link taken from the event", (channel, service_, action) => {
  template.hasResourceProperties('AWS::Events::Rule', {
    EventBusName: { Ref: Match.stringLikeRegexp('^SessionRecoveryEventBus') },
    EventPattern: { source: ['session-recovery'], 'detail-type': ['Resume Link Requested'], detail: { channel: [channel], to: [{ exists: true }] } },
    Targets: [
      Match.objectLike({
        InputTransformer: Match.objectLike({
          InputPathsMap: Match.objectLike({ 'detail-to': '$.detail.to' }),
          InputTemplate: Match.stringLikeRegexp(`"service":"${service_}","action":"${action}"`),
        }),
      }),
    ],
  });
});

it('texts phone numbers only: sns:Publish on nothing that has an ARN (no topic, no endpoint)', () => {
  const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) => p.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>,
  );
  const publish = statements.filter((s) => JSON.stringify(s.Action).includes('sns:Publish'));
  expect(publish).toEqual([{ Action: 'sns:Publish', Effect: 'Allow', NotResource: 'arn:aws:sns:*:*:*' }]);
  expect(statements.filter((s) => s.Resource === '*' && JSON.stringify(s.Action).includes('sns:'))).toEqual([]);
});

it('sends what EventBridge could not deliver, after a day of retries, to a dead-letter queue that only these rules may write to', () => {
  const [queueId] = Object.keys(template.findResources('AWS::SQS::Queue'));
  // Kept 14 days, as the README says.
  expect(Object.values(template.findResources('AWS::SQS::Queue'))[0]!.Properties.MessageRetentionPeriod).toBe(14 * 86_400);
  const rules = Object.entries(template.findResources('AWS::Events::Rule'));
  expect(rules).toHaveLength(2);
  for (const [, rule] of rules) {
    expect(rule.Properties.Targets[0]).toMatchObject({
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
    });
  }
  const [policy] = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
  const senders = (
    policy!.Properties.PolicyDocument.Statement as Array<{
      Action: string;
      Principal?: { Service?: string };
      Condition?: { ArnEquals: { 'aws:SourceArn': unknown } };
    }>
  )
    .filter((s) => s.Action === 'sqs:SendMessage')
    .map((s) => [s.Principal?.Service, s.Condition?.ArnEquals['aws:SourceArn']]);
  expect(senders).toEqual(rules.map(([id]) => ['events.amazonaws.com', { 'Fn::GetAtt': [id, 'Arn'] }]));
});
