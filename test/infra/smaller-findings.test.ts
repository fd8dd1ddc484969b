import { Template } from 'aws-cdk-lib/assertions';
import { SessionRecoveryStack } from '../../lib/session-recovery-stack';
import { templateApp } from '../support/template-app';

const CERT = (region: string) => `arn:aws:acm:${region}:111122223333:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789abc`;

it("refuses a shortLinkDomain certificate from another region than the stack's, at synth", () => {
  const stack = (region: string, certRegion: string) =>
    new SessionRecoveryStack(templateApp(), `Short${region}${certRegion}`.replace(/-/g, ''), {
      env: { account: '111122223333', region },
      sessionRecovery: { shortLinkDomain: { domainName: 'go.example.com', certificateArn: CERT(certRegion) } },
    });
  expect(() => stack('eu-west-1', 'us-east-1')).toThrow("shortLinkDomain.certificateArn must be a certificate in the stack's region (eu-west-1), got one in us-east-1");
  expect(() => stack('eu-west-1', 'eu-west-1')).not.toThrow();
});

it('tableWarmThroughput reaches the table', () => {
  const template = Template.fromStack(
    new SessionRecoveryStack(templateApp(), 'Warm', { sessionRecovery: { tableWarmThroughput: { readUnitsPerSecond: 20_000, writeUnitsPerSecond: 12_000 } } }),
  );
  template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { WarmThroughput: { ReadUnitsPerSecond: 20_000, WriteUnitsPerSecond: 12_000 } });
});
