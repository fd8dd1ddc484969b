import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SessionRecoveryStack } from '../../lib/session-recovery-stack';

const app = new App();
const stack = new SessionRecoveryStack(app, 'Test', { env: { account: '111122223333', region: 'eu-west-1' } });
const template = Template.fromStack(stack);

describe('the load-entry-data Lambda', () => {
  it('runs index.handler on Node.js 24, arm64, with tracing and a timeout below API Gateway\'s 30 s', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Timeout: 10,
      Environment: {
        Variables: Match.objectLike({
          SECRET_PREFIX: 'session-recovery/',
          DEPLOYMENT_ENVIRONMENT: 'production',
          ALLOWED_ORIGINS: '*',
          KEY_CACHE_TTL_SECONDS: '60',
          TABLE_NAME: Match.anyValue(),
        }),
      },
    });
  });

  it('may read project secrets only under the prefix, and only GetItem on the table', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap(
      (p) => (p as { Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } } }).Properties.PolicyDocument.Statement,
    );
    const secretStatements = statements.filter((st) => JSON.stringify(st.Action).includes('secretsmanager'));
    expect(secretStatements).toHaveLength(1);
    expect(secretStatements[0].Action).toBe('secretsmanager:GetSecretValue');
    expect(JSON.stringify(secretStatements[0].Resource)).toContain(':secret:session-recovery/projects/*');
    const ddbStatements = statements.filter((st) => JSON.stringify(st.Action).includes('dynamodb'));
    expect(ddbStatements.map((st) => st.Action)).toEqual(['dynamodb:GetItem']);
    for (const st of statements) {
      if (JSON.stringify(st.Action).match(/secretsmanager|dynamodb/)) expect(st.Resource).not.toBe('*');
    }
  });
});

describe('the HTTP API', () => {
  it('routes POST and OPTIONS /v1/load-entry-data with no authorization', () => {
    for (const method of ['POST', 'OPTIONS']) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: `${method} /v1/load-entry-data`,
        AuthorizationType: 'NONE',
      });
    }
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 2);
  });

  it('has no API Gateway CORS configuration (the Lambda owns CORS)', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP', CorsConfiguration: Match.absent() });
  });

  it('throttles the default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
    });
  });

  it('uses payload format 2.0', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
  });
});

describe('the entries table', () => {
  it('is on-demand, keyed by entry_id, with a TTL attribute, PITR and deletion protection', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'entry_id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'retain_until', Enabled: true },
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
        }),
      ],
    });
  });

  it('is retained when the stack is deleted', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('outputs', () => {
  it('give the API URL, the load-entry-data URL and what a backend needs', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs).toEqual(
      expect.arrayContaining(['ApiUrl', 'LoadEntryDataUrl', 'EntriesTableName', 'EnvironmentName', 'ProjectSecretName']),
    );
  });
});
