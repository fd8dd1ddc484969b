import { Match, Template } from 'aws-cdk-lib/assertions';
import { SessionRecoveryStack } from '../../lib/session-recovery-stack';
import { templateApp } from '../support/template-app';

const template = Template.fromStack(
  new SessionRecoveryStack(templateApp(), 'LegacyOff', { sessionRecovery: { legacyEnabled: false, legacySunset: '2027-01-31' } }),
);

it('switching the legacy route off makes its Lambda answer 410 and takes away all its data access', () => {
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ LEGACY_ENABLED: 'false', LEGACY_SUNSET: '2027-01-31' }) },
  });
  const functions = template.findResources('AWS::Lambda::Function');
  const [, legacy] = Object.entries(functions).find(([id]) => id.startsWith('SessionRecoveryLegacyLoadEntryData'))!;
  const roleId = (legacy.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter(
    (p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
  );
  const text = JSON.stringify(policies);
  expect(text).not.toContain('secretsmanager');
  expect(text).not.toContain('dynamodb');
});

it('keeps the legacy Function URL and its output, so a forgotten page gets the 410 rather than a DNS error', () => {
  template.hasResourceProperties('AWS::Lambda::Url', {
    AuthType: 'NONE',
    TargetFunctionArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SessionRecoveryLegacyLoadEntryData'), 'Arn'] },
  });
  template.hasOutput('LegacyLoadEntryDataUrl', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SessionRecoveryLegacyLoadEntryData'), 'FunctionUrl'] } });
});

it('refuses a sunset that is not a date', () => {
  expect(() => new SessionRecoveryStack(templateApp(), 'Bad', { sessionRecovery: { legacySunset: 'soon' } })).toThrow(/legacySunset/);
});
