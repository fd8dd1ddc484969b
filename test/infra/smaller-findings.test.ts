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
  expect(() => stack('eu-west-1', 'us-east-1')).toThrow(
    "shortLinkDomain.certificateArn must be a certificate in the stack's region (eu-west-1), got one in us-east-1",
  );
  expect(() => stack('eu-west-1', 'eu-west-1')).not.toThrow();
});

it('tableWarmThroughput reaches the table', () => {
  const template = Template.fromStack(
    new SessionRecoveryStack(templateApp(), 'Warm', { sessionRecovery: { tableWarmThroughput: { readUnitsPerSecond: 20_000, writeUnitsPerSecond: 12_000 } } }),
  );
  template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { WarmThroughput: { ReadUnitsPerSecond: 20_000, WriteUnitsPerSecond: 12_000 } });
});

describe('tags', () => {
  const TAGS = { team: 'growth', 'cost-center': 'cc-42' };
  const template = Template.fromStack(new SessionRecoveryStack(templateApp(), 'Tagged', { sessionRecovery: { tags: TAGS } }));
  const resources = Object.entries(template.toJSON().Resources as Record<string, { Type: string; Properties?: { Tags?: unknown } }>);

  it('are on every resource of the construct that CloudFormation can tag', () => {
    const taggable = [
      'AWS::Lambda::Function',
      'AWS::IAM::Role',
      'AWS::Logs::LogGroup',
      'AWS::SecretsManager::Secret',
      'AWS::Events::EventBus',
      'AWS::ApiGatewayV2::Api',
      'AWS::ApiGatewayV2::Stage',
      'AWS::CloudWatch::Alarm',
    ];
    const checked = resources.filter(([, r]) => taggable.includes(r.Type));
    expect(new Set(checked.map(([, r]) => r.Type))).toEqual(new Set(taggable));
    for (const [id, r] of checked) {
      const tags = r.Properties!.Tags;
      const asMap = Array.isArray(tags) ? Object.fromEntries((tags as Array<{ Key: string; Value: string }>).map((t) => [t.Key, t.Value])) : tags;
      expect([id, asMap]).toEqual([id, expect.objectContaining(TAGS)]);
    }
    // The table's replicas carry them.
    const [, table] = resources.find(([, r]) => r.Type === 'AWS::DynamoDB::GlobalTable')!;
    expect(JSON.stringify(table.Properties)).toContain('"Key":"cost-center","Value":"cc-42"');
  });

  it('are told to the Lambdas that create secrets at run time', () => {
    for (const prefix of ['SessionRecoveryCredentials', 'SessionRecoveryLegacyKeys']) {
      const [, fn] = resources.find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(prefix))!;
      expect(JSON.parse((fn.Properties as { Environment: { Variables: { SECRET_TAGS: string } } }).Environment.Variables.SECRET_TAGS)).toEqual(TAGS);
    }
  });

  it('refuses a tag AWS would not take', () => {
    expect(() => new SessionRecoveryStack(templateApp(), 'BadTag', { sessionRecovery: { tags: { 'aws:owner': 'x' } } })).toThrow(
      'tags: "aws:owner" is not a tag AWS takes',
    );
  });
});
