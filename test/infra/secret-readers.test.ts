import { Template } from 'aws-cdk-lib/assertions';
import { SessionRecoveryStack } from '../../lib/session-recovery-stack';
import { templateApp } from '../support/template-app';

/*
 * Who the resource policy of a run-time secret lets read it (docs/security.md):
 * the Lambdas that create secrets are told every role of the service that reads
 * them, and the operator role named by secretReaderRoleArn.
 */

const OPERATOR = 'arn:aws:iam::111122223333:role/session-recovery-operators';
const template = Template.fromStack(
  new SessionRecoveryStack(templateApp(), 'Readers', { sessionRecovery: { secretReaderRoleArn: OPERATOR, legacyEnabled: false } }),
);
const functions = Object.entries(template.findResources('AWS::Lambda::Function'));
const variablesOf = (prefix: string) => functions.find(([id]) => id.startsWith(prefix))![1].Properties.Environment.Variables as Record<string, unknown>;
const roleOf = (prefix: string) => (functions.find(([id]) => id.startsWith(prefix))![1].Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

it('the credentials and legacy-keys Lambdas, which create secrets, are told every reading role of the service and the operator role, and may attach the policy', () => {
  const readers = ['LoadEntryData', 'Credentials', 'BrowserSaves', 'LinkRequests', 'Mint', 'LegacyLoadEntryData'].map(
    (f) => `<${roleOf(`SessionRecovery${f}`)}.Arn>`,
  );
  for (const writer of ['SessionRecoveryCredentials', 'SessionRecoveryLegacyKeys']) {
    const joined = variablesOf(writer).SECRET_READER_ARNS as { 'Fn::Join': [string, unknown[]] };
    const rendered = joined['Fn::Join'][1]
      .map((part) => (typeof part === 'string' ? part : `<${(part as { 'Fn::GetAtt': string[] })['Fn::GetAtt'].join('.')}>`))
      .join(joined['Fn::Join'][0]);
    // The legacy Lambda's role too, though it reads nothing while switched off: its secrets outlive the switch.
    expect(rendered.split(',')).toEqual([...readers, OPERATOR]);
    const role = roleOf(writer);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role }]))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: unknown }>);
    expect(JSON.stringify(statements)).toContain('secretsmanager:PutResourcePolicy');
  }
  // No other Lambda attaches or changes a policy.
  const others = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p).includes('PutResourcePolicy'));
  expect(others).toHaveLength(2);
});

it('refuses a secretReaderRoleArn that is not a role ARN', () => {
  expect(() => new SessionRecoveryStack(templateApp(), 'BadReader', { sessionRecovery: { secretReaderRoleArn: 'operators' } })).toThrow(
    'secretReaderRoleArn must be an IAM role ARN',
  );
});
