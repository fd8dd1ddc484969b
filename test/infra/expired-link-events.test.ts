import { Template } from 'aws-cdk-lib/assertions';
import { SessionRecoveryStack } from '../../lib/session-recovery-stack';
import { templateApp } from '../support/template-app';

const template = Template.fromStack(new SessionRecoveryStack(templateApp(), 'Expired', { sessionRecovery: { expiredLinkEvents: true } }));

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

const functionNamed = (prefix: string) => {
  const [id, fn] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([logicalId]) => logicalId.startsWith(prefix)) ?? [];
  if (!fn) throw new Error(`no function ${prefix}`);
  return { id: id!, fn };
};
const statementsOf = (prefix: string): Statement[] => {
  const roleId = (functionNamed(prefix).fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
};

describe.each(['SessionRecoveryLoadEntryData', 'SessionRecoveryLegacyLoadEntryData'])('expiredLinkEvents on %s', (prefix) => {
  it('writes and gives back its once-an-hour marks on expired# keys only', () => {
    // (load-entry-data's PutItem on verify# keys counts a flow's second-factor attempts: not a mark.)
    const marks = statementsOf(prefix).filter((s) => JSON.stringify(s.Action).includes('PutItem') && !JSON.stringify(s.Condition ?? {}).includes('verify#'));
    const entriesArn = { 'Fn::GetAtt': [expect.stringMatching(/^SessionRecoveryEntries/) as unknown as string, 'Arn'] };
    // (load-entry-data's note of a person's campaign resume is an UpdateItem on resumed# and campaign# keys, not a PutItem.)
    expect(marks).toEqual([
      {
        Action: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
        Effect: 'Allow',
        Resource: entriesArn,
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['expired#*'] } },
      },
    ]);
  });

  it("puts events on the deployment's bus only, and is told so", () => {
    const puts = statementsOf(prefix).filter((s) => JSON.stringify(s.Action).includes('events:'));
    expect(puts.map((s) => [s.Action, s.Resource])).toEqual([
      ['events:PutEvents', { 'Fn::GetAtt': [expect.stringMatching(/^SessionRecoveryEventBus/), 'Arn'] }],
    ]);
    const variables = functionNamed(prefix).fn.Properties.Environment.Variables as Record<string, unknown>;
    expect([variables.EXPIRED_LINK_EVENTS, variables.EVENT_BUS_NAME]).toEqual(['true', { Ref: expect.stringMatching(/^SessionRecoveryEventBus/) }]);
  });
});
