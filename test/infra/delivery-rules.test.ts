import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { addDeliveryRules } from '../../docs/recipes/delivery-rules';
import { SessionRecovery } from '../../lib/session-recovery';
import { templateApp } from '../support/template-app';

const root = path.join(import.meta.dirname, '..', '..');
const recipe = readFileSync(path.join(root, 'docs', 'recipes', 'delivery-rules.ts'), 'utf8');

const stack = new Stack(templateApp(), 'Delivery');
const service = new SessionRecovery(stack, 'SessionRecovery');
addDeliveryRules(stack, service);
const template = Template.fromStack(stack);

it('the README shows the delivery rules recipe as it is', () => {
  expect(readFileSync(path.join(root, 'README.md'), 'utf8')).toContain(`\`\`\`ts\n${recipe}\`\`\``);
});

it.each([
  ['email', 'SESV2', 'sendEmail'],
  ['sms', 'SNS', 'publish'],
])('delivers %s link requests from the deployment\'s bus with %s %s, the address and link taken from the event', (channel, service_, action) => {
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
