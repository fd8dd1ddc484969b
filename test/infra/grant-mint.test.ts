import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SessionRecovery } from '../../lib/session-recovery';
import { templateApp } from '../support/template-app';

/** A backend's role in the team's own stack, granted what README "Minting links from a backend" says grantMint gives. */
const stack = new Stack(templateApp(), 'Backend');
const service = new SessionRecovery(stack, 'SessionRecovery');
const backend = new iam.Role(stack, 'Backend', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
service.grantMint(backend);
const template = Template.fromStack(stack);

it('grantMint lets the role invoke the mint Lambda, and nothing else', () => {
  const roleId = stack.getLogicalId(backend.node.defaultChild as CfnElement);
  const statements = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Effect: string; Resource: unknown }>);
  const mint = stack.getLogicalId(service.functions.mint.node.defaultChild as CfnElement);
  const mintArn = { 'Fn::GetAtt': [mint, 'Arn'] };
  expect(statements).toEqual([{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: [mintArn, { 'Fn::Join': ['', [mintArn, ':*']] }] }]);
});
