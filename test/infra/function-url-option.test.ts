import { Match, Template } from 'aws-cdk-lib/assertions';
import { SessionRecoveryStack } from '../../lib/session-recovery-stack';
import { templateApp } from '../support/template-app';
import { EXPECTED_URL_ALARMS, functionUrlAlarms } from '../support/url-alarms';

it('currentContractFunctionUrl adds a Function URL (auth NONE, no URL CORS) to load-entry-data, with an output', () => {
  const template = Template.fromStack(new SessionRecoveryStack(templateApp(), 'FnUrl', { sessionRecovery: { currentContractFunctionUrl: true } }));
  const urls = Object.values(template.findResources('AWS::Lambda::Url'));
  expect(urls).toHaveLength(2);
  for (const url of urls) expect(url.Properties).toMatchObject({ AuthType: 'NONE' });
  template.hasResourceProperties('AWS::Lambda::Url', {
    TargetFunctionArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SessionRecoveryLoadEntryData'), 'Arn'] },
    Cors: Match.absent(),
  });
  expect(Object.keys(template.findOutputs('*'))).toContain('LoadEntryDataFunctionUrl');
  // API Gateway's metrics never see a Function URL: each has alarms of its own.
  expect(functionUrlAlarms(template, 'SessionRecoveryLoadEntryData')).toEqual(EXPECTED_URL_ALARMS);
  expect(functionUrlAlarms(template, 'SessionRecoveryLegacyLoadEntryData')).toEqual(EXPECTED_URL_ALARMS);
});

it('is off by default', () => {
  const template = Template.fromStack(new SessionRecoveryStack(templateApp(), 'NoFnUrl'));
  template.resourceCountIs('AWS::Lambda::Url', 1);
  expect(Object.keys(template.findOutputs('*'))).not.toContain('LoadEntryDataFunctionUrl');
});
