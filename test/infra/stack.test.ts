import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SETTINGS } from '../../lambdas/runtime/environment';
import { SessionRecoveryStack } from '../../lib/session-recovery-stack';
import { templateApp } from '../support/template-app';
import { ROUTE_LIST, ROUTES } from '../../lambdas/http/routes';
import { API_ACCESS_LOG_FORMAT } from '../../lib/access-log-format';
import { THROTTLES } from '../../lib/defaults';
import { EXPECTED_URL_ALARMS, functionUrlAlarms } from '../support/url-alarms';
import { docSection } from '../support/docs';

/** A throttle of THROTTLES (lib/defaults.ts), as the stage's route settings write it. */
const cfn = (t: { rateLimit: number; burstLimit: number }) => ({ ThrottlingRateLimit: t.rateLimit, ThrottlingBurstLimit: t.burstLimit });

const lambdasDir = path.join(import.meta.dirname, '..', '..', 'lambdas');
/** Each Lambda's logical id prefix and its handler's source. */
const FUNCTION_SOURCES = (
  [
    ['SessionRecoveryLoadEntryData', 'load-entry-data'],
    ['SessionRecoveryCredentials', 'credentials'],
    ['SessionRecoveryEntriesFunction', 'entries'],
    ['SessionRecoveryMint', 'mint'],
    ['SessionRecoveryLegacyKeys', 'legacy-keys'],
    ['SessionRecoveryLegacyLoadEntryData', 'legacy-load-entry-data'],
    ['SessionRecoveryBrowserSaves', 'browser-saves'],
    ['SessionRecoveryLinkRequests', 'link-requests'],
    ['SessionRecoveryShortLinks', 'short-links'],
    ['SessionRecoveryNotFound', 'not-found'],
  ] as const
).map(([id, fn]) => [id, path.join(lambdasDir, fn, 'index.ts')] as const);

const app = templateApp();
const stack = new SessionRecoveryStack(app, 'Test', {
  env: { account: '111122223333', region: 'eu-west-1' },
  sessionRecovery: { environmentName: 'production' },
});
const template = Template.fromStack(stack);

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

/** The statements of the inline policies on the role of the Lambda whose logical id starts with `prefix`. */
const statementsOf = (prefix: string): Statement[] => {
  const functions = template.findResources('AWS::Lambda::Function');
  const [, fn] = Object.entries(functions).find(([id]) => id.startsWith(prefix)) ?? [];
  if (!fn) throw new Error(`no function ${prefix}`);
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
    .filter((s) => !/xray:|logs:/.test(JSON.stringify(s.Action)));
};
const actionsOf = (statements: Statement[]) => statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();
const resourceText = (statements: Statement[], service: string) =>
  statements.filter((s) => JSON.stringify(s.Action).includes(service)).map((s) => JSON.stringify(s.Resource));

describe('the Lambdas', () => {
  it("are ten, each index.handler on Node.js 24 arm64 with tracing, a 10 s timeout, and JSON logs at INFO (the request lines) with Lambda's own at WARN", () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(10);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Handler: 'index.handler',
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Timeout: 10,
        LoggingConfig: expect.objectContaining({ LogFormat: 'JSON', SystemLogLevel: 'WARN', ApplicationLogLevel: 'INFO' }),
      });
    }
  });

  it('have 256 MB each, and JSON logs in a log group of their own, kept one month', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    const logGroups = template.toJSON().Resources as Record<string, { Type: string; Properties: { RetentionInDays?: number } }>;
    const groupIds = functions.map((fn) => (fn.Properties.LoggingConfig.LogGroup as { Ref: string }).Ref);
    expect(new Set(groupIds).size).toBe(functions.length);
    for (const [i, fn] of functions.entries()) {
      expect(fn.Properties.MemorySize).toBe(256);
      expect([logGroups[groupIds[i]].Type, logGroups[groupIds[i]].Properties.RetentionInDays]).toEqual(['AWS::Logs::LogGroup', 30]);
    }
  });

  it('set only variables the Lambdas read (lambdas/runtime/environment.ts), and every required one a Lambda reads', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    const required = (Object.keys(SETTINGS) as Array<keyof typeof SETTINGS>).filter((n) => !('default' in SETTINGS[n]) && !('optional' in SETTINGS[n]));
    for (const [id, fn] of Object.entries(functions)) {
      const variables = Object.keys(fn.Properties.Environment?.Variables ?? {});
      expect([id, variables.filter((v) => !(v in SETTINGS))]).toEqual([id, []]);
      const source = FUNCTION_SOURCES.find(([logicalId]) => id.startsWith(logicalId))?.[1];
      if (!source) throw new Error(`no source known for ${id}`);
      const reads = required.filter((n) => readFileSync(source, 'utf8').includes(`setting('${n}')`));
      expect([id, reads.filter((n) => !variables.includes(n))]).toEqual([id, []]);
    }
  });

  it('load-entry-data gets its configuration', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
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
});

describe('least privilege per Lambda', () => {
  it("load-entry-data: GetSecretValue on project secrets and on the save key, GetItem and UpdateItem (the save generation) on the table, UpdateItem on resumed# and campaign# keys (a person's resume of a campaign link), and PutItem on verify# keys (verification attempts), nothing else", () => {
    const st = statementsOf('SessionRecoveryLoadEntryData');
    expect([...new Set(actionsOf(st))]).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'secretsmanager:GetSecretValue']);
    const counted = st.find((s) => s.Action === 'dynamodb:UpdateItem' && (s as { Condition?: unknown }).Condition !== undefined) as Statement & {
      Condition?: unknown;
    };
    expect(counted.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['resumed#*', 'campaign#*'] } });
    expect(resourceText(st, 'secretsmanager')).toEqual([
      expect.stringMatching(/^\{"Ref":"SessionRecoverySaveKey\w+"\}$/),
      expect.stringContaining(':secret:session-recovery/projects/*'),
    ]);
  });

  it("browser-saves: PutItem and UpdateItem (no delete), GetItem on source-entries# keys (a source's creations in the hour) and the project index item only; reads project secrets and the save key", () => {
    const st = statementsOf('SessionRecoveryBrowserSaves') as Array<Statement & { Condition?: unknown }>;
    expect(actionsOf(st)).toEqual([
      'dynamodb:GetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'secretsmanager:GetSecretValue',
      'secretsmanager:GetSecretValue',
    ]);
    // Exactly the index's key, no wildcard: no entry is readable.
    expect(st.filter((s) => s.Action === 'dynamodb:GetItem').map((s) => s.Condition)).toEqual([
      { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['source-entries#*'] } },
      { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['projects#index'] } },
    ]);
    expect(resourceText(st, 'secretsmanager')).toEqual([
      expect.stringContaining(':secret:session-recovery/projects/*'),
      expect.stringMatching(/^\{"Ref":"SessionRecoverySaveKey\w+"\}$/),
    ]);
  });

  it('mint: can read project secrets but not write them; reads entries and records links minted after a revoke-links; writes short links only', () => {
    const st = statementsOf('SessionRecoveryMint');
    expect(actionsOf(st)).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'secretsmanager:GetSecretValue',
    ]);
    expect(resourceText(st, 'secretsmanager')[0]).toContain(':secret:session-recovery/projects/*');
    const writes = st.find((s) => s.Action === 'dynamodb:BatchWriteItem') as Statement & { Condition?: unknown };
    expect(writes.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['link#*'] } });
  });

  it("link-requests: mint's reads and writes, its own counts on link-requests#, source-links#, recipient# and handoffs# keys only, the save key, and PutEvents on the deployment's bus only", () => {
    const st = statementsOf('SessionRecoveryLinkRequests') as Array<Statement & { Condition?: unknown }>;
    expect(actionsOf(st)).toEqual([
      'dynamodb:BatchWriteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'events:PutEvents',
      'secretsmanager:GetSecretValue',
      'secretsmanager:GetSecretValue',
    ]);
    const leading = (action: string) => st.find((s) => s.Action === action)?.Condition;
    expect(leading('dynamodb:BatchWriteItem')).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['link#*'] } });
    expect(leading('dynamodb:PutItem')).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['link-requests#*', 'source-links#*', 'recipient#*', 'handoffs#*'] },
    });
    expect(resourceText(st, 'events:')).toEqual([expect.stringMatching(/^\{"Fn::GetAtt":\["SessionRecoveryEventBus\w+","Arn"\]\}$/)]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Environment: { Variables: Match.objectLike({ EVENT_BUS_NAME: { Ref: Match.stringLikeRegexp('^SessionRecoveryEventBus') } }) },
    });
  });

  it('without expiredLinkEvents, the resume Lambdas cannot put events and do not try', () => {
    for (const prefix of ['SessionRecoveryLoadEntryData', 'SessionRecoveryLegacyLoadEntryData']) {
      const statements = statementsOf(prefix);
      expect(actionsOf(statements).filter((a) => a.startsWith('events:'))).toEqual([]);
      // No once-an-hour marks either.
      expect(JSON.stringify(statements)).not.toContain('expired#');
    }
    const functions = Object.entries(template.findResources('AWS::Lambda::Function'));
    expect(functions.filter(([, fn]) => fn.Properties.Environment?.Variables?.EXPIRED_LINK_EVENTS === 'true')).toEqual([]);
  });

  it('short-links: exactly GetItem, on link# keys only, and nothing else at all', () => {
    const st = statementsOf('SessionRecoveryShortLinks') as Array<Statement & { Condition?: unknown }>;
    expect(st).toEqual([
      {
        Action: 'dynamodb:GetItem',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SessionRecoveryEntries/), 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['link#*'] } },
      },
    ]);
  });

  it('credentials: writes secrets only under <prefix>projects/, and on the table only the project index item', () => {
    const st = statementsOf('SessionRecoveryCredentials') as Array<Statement & { Condition?: unknown }>;
    expect(actionsOf(st)).toEqual([
      'dynamodb:UpdateItem',
      'secretsmanager:CreateSecret',
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutResourcePolicy',
      'secretsmanager:PutSecretValue',
      'secretsmanager:TagResource',
      'secretsmanager:UpdateSecretVersionStage',
    ]);
    expect(resourceText(st, 'secretsmanager')).toEqual([expect.stringContaining(':secret:session-recovery/projects/*')]);
    // Exactly the one key, no wildcard: no entry, short link or count is within its reach.
    expect(st.find((s) => s.Action === 'dynamodb:UpdateItem')?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['projects#index'] },
    });
  });

  it('the project index is complete only when the deployment says so (projectIndexComplete), and the Lambdas that read it are told: load-entry-data, browser-saves, link-requests', () => {
    const flagged = Object.entries(template.findResources('AWS::Lambda::Function')).filter(
      ([, fn]) => fn.Properties.Environment?.Variables?.PROJECT_INDEX_COMPLETE !== undefined,
    );
    expect(flagged.map(([id, fn]) => [id.replace(/[0-9A-F]{8}$/, ''), fn.Properties.Environment.Variables.PROJECT_INDEX_COMPLETE])).toEqual([
      ['SessionRecoveryLoadEntryData', 'false'],
      ['SessionRecoveryBrowserSaves', 'false'],
      ['SessionRecoveryLinkRequests', 'false'],
    ]);
  });

  it('legacy-keys: creates, updates, deletes and restores secrets only under <prefix>legacy-flows/, and cannot read them', () => {
    const st = statementsOf('SessionRecoveryLegacyKeys');
    expect(actionsOf(st)).toEqual([
      'secretsmanager:CreateSecret',
      'secretsmanager:DeleteSecret',
      'secretsmanager:DescribeSecret',
      'secretsmanager:PutResourcePolicy',
      'secretsmanager:PutSecretValue',
      'secretsmanager:RestoreSecret',
      'secretsmanager:TagResource',
    ]);
    expect(resourceText(st, 'secretsmanager')).toEqual([expect.stringContaining(':secret:session-recovery/legacy-flows/*')]);
  });

  it('entries: GetItem and UpdateItem on the table (an erasure leaves a tombstone), DeleteItem on resumed# and verify# keys only, BatchGetItem on campaign# keys and Query on the campaigns index only, no secrets', () => {
    const st = statementsOf('SessionRecoveryEntriesFunction') as Array<Statement & { Condition?: unknown }>;
    expect(actionsOf(st)).toEqual(['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    // No entry item can be deleted outright, so none loses the state that refuses the links issued before its erasure.
    expect(st.filter((s) => JSON.stringify(s.Action).includes('dynamodb:DeleteItem')).map((s) => [s.Action, s.Condition])).toEqual([
      ['dynamodb:DeleteItem', { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['resumed#*', 'verify#*'] } }],
    ]);
  });

  it("legacy load-entry-data: reads legacy keys, and project secrets for the owning project's allowed origins; GetItem on the table", () => {
    const st = statementsOf('SessionRecoveryLegacyLoadEntryData');
    expect([...new Set(actionsOf(st))]).toEqual(['dynamodb:GetItem', 'secretsmanager:GetSecretValue']);
    expect(resourceText(st, 'secretsmanager')).toEqual([
      expect.stringContaining(':secret:session-recovery/legacy-flows/*'),
      expect.stringContaining(':secret:session-recovery/projects/*'),
    ]);
  });

  it('every Lambda has a role of its own, which may write logs to its own log group only', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const roleOf = (fn: (typeof functions)[number]) => (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(new Set(functions.map(roleOf)).size).toBe(10);
    for (const fn of functions) {
      const logStatements = policies
        .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleOf(fn) }]))
        .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
        .filter((st) => JSON.stringify(st.Action).includes('logs:'));
      const logGroup = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(logStatements).toEqual([
        { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] } },
      ]);
    }
  });

  it('the save key is read (and only read) by load-entry-data, browser-saves and link-requests; legacy keys are read by the legacy Lambda alone; link# keys are written by mint and link-requests and read by short-links', () => {
    const touching = (pattern: RegExp) =>
      FUNCTION_SOURCES.flatMap(([id]) =>
        statementsOf(id)
          .filter((st) => pattern.test(JSON.stringify(st)))
          .map((st) => `${id.replace('SessionRecovery', '')} ${actionsOf([st]).join()}`),
      );
    expect(touching(/SessionRecoverySaveKey/)).toEqual([
      'LoadEntryData secretsmanager:GetSecretValue',
      'BrowserSaves secretsmanager:GetSecretValue',
      'LinkRequests secretsmanager:GetSecretValue',
    ]);
    expect(touching(/legacy-flows/)).toEqual([
      'LegacyKeys secretsmanager:CreateSecret,secretsmanager:DeleteSecret,secretsmanager:DescribeSecret,secretsmanager:PutResourcePolicy,secretsmanager:PutSecretValue,secretsmanager:RestoreSecret,secretsmanager:TagResource',
      'LegacyLoadEntryData secretsmanager:GetSecretValue',
    ]);
    expect(touching(/"link#\*"/)).toEqual(['Mint dynamodb:BatchWriteItem', 'LinkRequests dynamodb:BatchWriteItem', 'ShortLinks dynamodb:GetItem']);
    // The bounds' items: each written only by the Lambda that counts them (beside the table-wide writes of browser-saves and mint's UpdateItem).
    expect(touching(/(source-entries|source-links|recipient|project-entries|project-links)#/)).toEqual([
      'BrowserSaves dynamodb:GetItem',
      'LinkRequests dynamodb:PutItem',
    ]);
  });

  it('not-found: no permission at all beyond its own logs', () => {
    expect(statementsOf('SessionRecoveryNotFound')).toEqual([]);
  });

  it('no statement the product writes uses a wildcard resource', () => {
    for (const prefix of FUNCTION_SOURCES.map(([id]) => id)) {
      for (const s of statementsOf(prefix)) expect(s.Resource).not.toBe('*');
    }
  });
});

describe('the HTTP API', () => {
  it('leaves the public routes (resume, the browser saves, link requests and hand-offs) unauthenticated, each with its OPTIONS route', () => {
    const publicRoutes = ROUTE_LIST.filter((r) => r.access === 'public');
    expect(publicRoutes.map((r) => r.name)).toEqual(['loadEntryData', 'createEntry', 'saveProgress', 'linkRequests', 'handoff']);
    for (const r of publicRoutes) {
      for (const method of [r.method, 'OPTIONS']) {
        template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: `${method} ${r.path}`, AuthorizationType: 'NONE' });
      }
    }
  });

  it('puts IAM authorization on every admin and mint route', () => {
    const iamRoutes = ROUTE_LIST.filter((r) => r.access === 'iam');
    expect(iamRoutes.length).toBeGreaterThanOrEqual(9);
    for (const r of iamRoutes) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: `${r.method} ${r.path}`, AuthorizationType: 'AWS_IAM' });
    }
    // Each route, OPTIONS of each public one, and $default.
    template.resourceCountIs('AWS::ApiGatewayV2::Route', ROUTE_LIST.length + ROUTE_LIST.filter((r) => r.access === 'public').length + 1);
  });

  it('serves short links to anyone, GET and HEAD, with no OPTIONS route (people open them; no script fetches them)', () => {
    expect(ROUTE_LIST.filter((r) => r.access === 'open').map((r) => r.key)).toEqual(['GET /r/{code}', 'HEAD /r/{code}']);
    for (const key of ['GET /r/{code}', 'HEAD /r/{code}']) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: key, AuthorizationType: 'NONE' });
    }
    expect(Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey)).not.toContain('OPTIONS /r/{code}');
  });

  it('sends every request no route serves to the not-found Lambda ($default, no authorization)', () => {
    const [integrationId] =
      Object.entries(template.findResources('AWS::ApiGatewayV2::Integration')).find(([, i]) =>
        JSON.stringify(i.Properties.IntegrationUri).includes('SessionRecoveryNotFound'),
      ) ?? [];
    expect(integrationId).toBeDefined();
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$default',
      AuthorizationType: 'NONE',
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] },
    });
  });

  it('has no API Gateway CORS configuration (the Lambda owns CORS)', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP', CorsConfiguration: Match.absent() });
  });

  it('throttles the default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: cfn(THROTTLES.throttle),
    });
  });

  it('uses payload format 2.0', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  });
});

describe('the legacy Function URL', () => {
  it('has auth type NONE and no Function URL CORS configuration', () => {
    template.resourceCountIs('AWS::Lambda::Url', 1);
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', Cors: Match.absent() });
  });

  it('is served by the legacy Lambda, which is switched on and names the current endpoint', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ LEGACY_ENABLED: 'true', CURRENT_ENDPOINT_URL: Match.anyValue() }) },
    });
  });
});

describe('policies for backends and operators', () => {
  it('MintInvokePolicy allows invoking the mint Lambda and nothing else', () => {
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
    const mintPolicy = policies.find((p) => JSON.stringify(p).includes('lambda:InvokeFunction'));
    const statements = mintPolicy!.Properties.PolicyDocument.Statement as Statement[];
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('lambda:InvokeFunction');
    expect(JSON.stringify(statements[0].Resource)).toContain('SessionRecoveryMint');
  });

  it('AdminApiPolicy allows execute-api:Invoke on the IAM routes only', () => {
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
    const admin = policies.find((p) => JSON.stringify(p).includes('execute-api:Invoke'));
    const text = JSON.stringify(admin);
    expect(text).toContain('/POST/v1/tokens');
    expect(text).toContain('/DELETE/v1/projects/*/credentials/*');
    expect(text).not.toContain('load-entry-data');
  });
});

describe('the entries table', () => {
  it('is on-demand, keyed by entry_id, with a TTL attribute and PITR', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'entry_id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'retain_until', Enabled: true },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
    });
  });

  it('is retained when the stack is deleted or the table replaced, but not left behind by a failed first deploy (so no deletion protection)', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })] }),
    });
  });
});

describe('deploying in a new account, and removing the stack', () => {
  it('reserves no Lambda concurrency (new accounts often have a quota of 10, and Lambda keeps 100 unreserved)', () => {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
  });

  it("writes API access logs under /aws/vendedlogs/, so it needs no room in the account's CloudWatch Logs resource policy", () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    const logGroupId = (stage.Properties.AccessLogSettings.DestinationArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(template.toJSON().Resources[logGroupId].Properties.LogGroupName).toMatch(
      /^\/aws\/vendedlogs\/apigateway\/Test-SessionRecovery-[0-9A-F]{8}\/access$/,
    );
    template.resourceCountIs('AWS::Logs::ResourcePolicy', 0);
  });

  it('creates one Secrets Manager secret, the save key, as CloudFormation generates it; Token Signing Secrets are created at run time', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { SecretStringTemplate: '{}', GenerateStringKey: 'current', PasswordLength: 64, ExcludePunctuation: true },
    });
    // No Name: CloudFormation names it after its logical id, which is how the README's Removing it finds it, or by its description.
    const [[logicalId, saveKey]] = Object.entries(template.findResources('AWS::SecretsManager::Secret'));
    expect([logicalId, saveKey.Properties.Name]).toEqual([expect.stringMatching(/^SessionRecoverySaveKey[0-9A-F]{8}$/), undefined]);
    expect(saveKey.Properties.Description).toMatch(/^session-recovery save key/);
  });

  it("leaves only the table, the save key (so save tokens in browsers outlive a redeploy) and the API access log group (the record of who called what) behind on `cdk destroy`: every other resource, the Lambdas' log groups included, is deleted with the stack", () => {
    const kept = Object.values(template.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>)
      .filter((r) => r.DeletionPolicy !== undefined && r.DeletionPolicy !== 'Delete')
      .map((r) => [r.Type, r.DeletionPolicy]);
    expect(kept).toEqual([
      ['AWS::DynamoDB::GlobalTable', 'RetainExceptOnCreate'],
      ['AWS::SecretsManager::Secret', 'RetainExceptOnCreate'],
      ['AWS::Logs::LogGroup', 'Retain'],
    ]);
  });
});

describe('outputs', () => {
  it('give the URLs, the mint function and the policies a team needs', () => {
    expect(Object.keys(template.findOutputs('*'))).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'LoadEntryDataUrl',
        'EntriesTableName',
        'EnvironmentName',
        'ProjectSecretName',
        'MintFunctionName',
        'LegacyLoadEntryDataUrl',
        'MintInvokePolicyArn',
        'AdminApiPolicyArn',
        'ShortLinkBaseUrl',
        'EventBusName',
        'EventBusArn',
      ]),
    );
    template.resourceCountIs('AWS::Events::EventBus', 1);
    // Delivery is the team's own rule: the stack puts none on its bus.
    template.resourceCountIs('AWS::Events::Rule', 0);
    expect(template.findOutputs('EventBusName').EventBusName.Value).toEqual({ Ref: expect.stringMatching(/^SessionRecoveryEventBus/) });
  });

  it("start short links at the API's own URL when there is no shortLinkDomain, and tell mint so", () => {
    expect(template.findOutputs('ShortLinkBaseUrl').ShortLinkBaseUrl.Value).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^SessionRecoveryApi/), 'ApiEndpoint'],
    });
    expect(template.findOutputs('ShortLinkDomainTarget')).toEqual({});
    template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SHORT_LINK_BASE_URL: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SessionRecoveryApi'), 'ApiEndpoint'] } }) },
    });
  });
});

describe('abuse limits and observability', () => {
  it('limits every route but the resume route per route, inside the stage limit', () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    const settings = stage.Properties.RouteSettings as Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;
    expect(settings[ROUTES.mint.key]).toEqual(cfn(THROTTLES.mintThrottle));
    expect(settings[ROUTES.mintBatch.key]).toEqual(cfn(THROTTLES.mintBatchThrottle));
    expect(settings[ROUTES.followShortLink.key]).toEqual(cfn(THROTTLES.shortLinkThrottle));
    expect(settings[ROUTES.checkShortLink.key]).toEqual(cfn(THROTTLES.shortLinkThrottle));
    expect(settings[ROUTES.createCredential.key]).toEqual(cfn(THROTTLES.adminThrottle));
    expect(settings[ROUTES.createEntry.key]).toEqual(cfn(THROTTLES.browserSavesThrottle.create));
    expect(settings[ROUTES.saveProgress.key]).toEqual(cfn(THROTTLES.browserSavesThrottle.progress));
    expect(settings[ROUTES.linkRequests.key]).toEqual(cfn(THROTTLES.linkRequestThrottle));
    expect(settings[ROUTES.handoff.key]).toEqual(cfn(THROTTLES.handoffThrottle));
    expect(settings[ROUTES.loadEntryData.key]).toBeUndefined();
    expect(Object.keys(settings)).toHaveLength(ROUTE_LIST.length - 1);
  });

  it('writes API access logs (request metadata, never bodies) to a log group with retention', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: API_ACCESS_LOG_FORMAT },
    });
    expect(API_ACCESS_LOG_FORMAT).toBe(
      '$context.requestId $context.identity.sourceIp "$context.routeKey" $context.status $context.responseLatency "$context.integrationErrorMessage"',
    );
  });

  it("splits an access line into its fields with the README's Logs Insights parse, a route's space and an IPv6 address included", () => {
    const readme = docSection('docs/operations.md', 'Observability');
    const [, glob, names] = /`parse @message '([^']+)' as ([\w, ]+)`/.exec(readme)!;
    const values = {
      requestId: 'JKJaXmPLvHcESHA=',
      'identity.sourceIp': '2001:db8::7',
      routeKey: 'POST /v1/load-entry-data',
      status: '401',
      responseLatency: '12',
      integrationErrorMessage: '-',
    };
    const line = API_ACCESS_LOG_FORMAT.replace(/\$context\.([A-Za-z.]+)/g, (_m, name: keyof typeof values) => values[name]);
    // Logs Insights' glob: each * takes the shortest text that lets the rest match.
    const pattern = new RegExp(
      `^${glob
        .split('*')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('(.*?)')}$`,
    );
    const parsed = pattern.exec(line)!.slice(1);
    expect(Object.fromEntries(names.split(', ').map((name, i) => [name, parsed[i]]))).toEqual({
      requestId: 'JKJaXmPLvHcESHA=',
      ip: '2001:db8::7',
      route: 'POST /v1/load-entry-data',
      status: '401',
      latencyMs: '12',
      integrationError: '-',
    });
  });

  it("turns the Lambdas' request lines into metrics with metric filters on their own log groups", () => {
    const logGroupOf = (prefix: string) => {
      const [, fn] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(prefix)) ?? [];
      return (fn?.Properties.LoggingConfig as { LogGroup: unknown }).LogGroup;
    };
    // The failure and refusal counts (lib/constructs/failure-metrics.ts) are test/infra/alarms.test.ts's.
    const filters = Object.values(template.findResources('AWS::Logs::MetricFilter'))
      .filter((f) => !/(Failures|Refusals)$/.test(f.Properties.MetricTransformations[0].MetricName))
      .map((f) => ({
        logGroup: JSON.stringify({ Ref: f.Properties.LogGroupName.Ref }),
        metric: `${f.Properties.MetricTransformations[0].MetricName}{${(f.Properties.MetricTransformations[0].Dimensions ?? []).map((d: { Key: string }) => d.Key).join()}}`,
      }));
    const on = (prefix: string) =>
      filters
        .filter((f) => f.logGroup === JSON.stringify(logGroupOf(prefix)))
        .map((f) => f.metric)
        .sort();
    const resume = ['EarlyResumes{}', 'Resumes{}', 'StaleKeysServed{}', 'Verifications{credential_id}', 'Verifications{outcome}'];
    expect(on('SessionRecoveryLoadEntryData')).toEqual(resume);
    expect(on('SessionRecoveryLegacyLoadEntryData')).toEqual(['EarlyResumes{}', 'LegacyCalls{flow_id}', ...resume.slice(1)]);
    expect(on('SessionRecoveryBrowserSaves')).toEqual(['EntriesCreated{project_id}', 'EntriesCreated{}', 'StaleKeysServed{}']);
    expect(on('SessionRecoveryLinkRequests')).toEqual(['LinkRequests{channel}', 'LinkRequests{outcome}', 'LinkRequests{}', 'StaleKeysServed{}']);
    // The recovery metrics are totals: no dimension per campaign (a campaign's figures are counters in the table).
    expect(on('SessionRecoveryMint')).toEqual(['LinksMinted{}']);
    expect(on('SessionRecoveryEntriesFunction')).toEqual(['Completions{}']);
    expect(filters).toHaveLength(20);
  });

  it('reads entries eventually consistently on the public endpoints unless told otherwise', () => {
    for (const prefix of ['SessionRecoveryLoadEntryData', 'SessionRecoveryLegacyLoadEntryData']) {
      const [, fn] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(prefix)) ?? [];
      expect(fn?.Properties.Environment.Variables.CONSISTENT_READS).toBe('false');
    }
    const strict = Template.fromStack(new SessionRecoveryStack(templateApp(), 'Strict', { sessionRecovery: { consistentReads: true } }));
    const values = Object.entries(strict.findResources('AWS::Lambda::Function'))
      .filter(([id]) => /^SessionRecovery(Legacy)?LoadEntryData/.test(id))
      .map(([, f]) => f.Properties.Environment.Variables.CONSISTENT_READS);
    expect(values).toEqual(['true', 'true']);
  });

  it('can turn active tracing off, with the X-Ray permissions it no longer needs', () => {
    const quiet = Template.fromStack(new SessionRecoveryStack(templateApp(), 'Quiet', { sessionRecovery: { activeTracing: false } }));
    for (const fn of Object.values(quiet.findResources('AWS::Lambda::Function'))) expect(fn.Properties.TracingConfig).toBeUndefined();
    expect(JSON.stringify(quiet.findResources('AWS::IAM::Policy'))).not.toContain('xray:');
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).toContain('xray:PutTraceSegments');
  });

  it("alarms on the API's 5xx rate, the public routes' p99 latency, throttles, stale keys, failures and refusals, a spike of invalid tokens, of entries created and of link requests, and the legacy Function URL's 5xx rate and p99 latency, with a dashboard", () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmDescription as string);
    expect(alarms).toHaveLength(16);
    expect(alarms.join('\n')).toMatch(
      /API requests answered 5xx[\s\S]*throttled[\s\S]*p99 duration of a route people wait on[\s\S]*Secrets Manager[\s\S]*Mint answered[\s\S]*LinkRequests answered[\s\S]*refused tokens[\s\S]*entries created from browsers[\s\S]*links requested by pages[\s\S]*Legacy Function URL requests answered 5xx[\s\S]*Legacy Function URL p99/,
    );
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'SessionRecovery',
      MetricName: 'EntriesCreated',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1000,
      Dimensions: Match.absent(),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'SessionRecovery',
      MetricName: 'LinkRequests',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 200,
      Dimensions: Match.absent(),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'SessionRecovery',
      MetricName: 'Verifications',
      Dimensions: Match.arrayWith([{ Name: 'outcome', Value: 'invalid_token' }]),
    });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(functionUrlAlarms(template, 'SessionRecoveryLegacyLoadEntryData')).toEqual(EXPECTED_URL_ALARMS);
    expect(functionUrlAlarms(template, 'SessionRecoveryLoadEntryData')).toEqual([]);
  });

  it("alarms above the README's thresholds: a 5xx rate over 1 % in 5 minutes, throttles at all, p99 over 1.5 s for 15 minutes, over 200 refused tokens, 1,000 entries created or 200 links requested in 5 minutes", () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    /** Each API alarm: its metric (or its expression), threshold, periods and period in seconds, by the start of its description. */
    const watched = (description: RegExp) => {
      const a = alarms.find((p) => description.test(p.AlarmDescription as string))!;
      const metrics = (a.Metrics ?? []) as Array<{ Expression?: string; MetricStat?: { Metric: { MetricName: string }; Period: number; Stat: string } }>;
      return {
        metric: a.MetricName ? `${a.ExtendedStatistic ?? a.Statistic}:${a.MetricName}` : metrics.find((m) => m.Expression)?.Expression,
        comparison: a.ComparisonOperator,
        threshold: a.Threshold,
        periods: a.EvaluationPeriods,
        seconds: [...new Set([a.Period, ...metrics.map((m) => m.MetricStat?.Period)].filter(Boolean))],
      };
    };
    const above = 'GreaterThanThreshold';
    expect(watched(/^More than the allowed share of API requests answered 5xx/)).toEqual({
      metric: 'IF(requests >= 100, 100 * errors / requests, 0)',
      comparison: above,
      threshold: 1,
      periods: 1,
      seconds: [300],
    });
    expect(watched(/^The public Lambdas were throttled/)).toMatchObject({ comparison: above, threshold: 0, periods: 1, seconds: [300] });
    expect(watched(/^p99 duration of a route people wait on/)).toEqual({
      metric: 'MAX([d0, d1, d2, d3])',
      comparison: above,
      threshold: 1500,
      periods: 3,
      seconds: [300],
    });
    expect(watched(/^Many refused tokens/)).toEqual({ metric: 'Sum:Verifications', comparison: above, threshold: 200, periods: 1, seconds: [300] });
    expect(watched(/^Many entries created from browsers/)).toEqual({
      metric: 'Sum:EntriesCreated',
      comparison: above,
      threshold: 1000,
      periods: 1,
      seconds: [300],
    });
    expect(watched(/^Many links requested by pages/)).toEqual({ metric: 'Sum:LinkRequests', comparison: above, threshold: 200, periods: 1, seconds: [300] });
    // Without alarmTopic, alarms notify nobody (they show in the console).
    expect(alarms.filter((p) => p.AlarmActions !== undefined)).toEqual([]);
  });

  it("shows on its dashboard what the README lists: requests and errors, latency, verifications by outcome and by credential, legacy calls by flow, throttles and stale keys, entries created by project, link requests by outcome and channel, recovery over all campaigns, the legacy URL's own metrics, and the alarms", () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard.Properties.DashboardBody).replace(/\\/g, '');
    expect([...body.matchAll(/"title":"([^"]+)"/g)].map(([, title]) => title)).toEqual([
      'API requests and errors',
      'API latency (ms)',
      'Verifications by outcome',
      'Verifications by credential',
      'Legacy calls by flow',
      'Lambda throttles, and keys served stale (Secrets Manager down)',
      'Entries created from browsers, by project',
      'Link requests from pages, by outcome (refusals by their code)',
      'Links requested by pages and accepted, by channel',
      'Recovery, all campaigns: links minted, resumes by people and by scanners, completions (per campaign: campaigns report)',
      'Recovery totals over the time range, all campaigns',
      'Legacy Function URL requests and errors',
      'Legacy Function URL latency (ms)',
      'Alarms',
    ]);
    // The alarm widget shows every alarm's state.
    const alarmIds = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    const shown = body.slice(body.lastIndexOf('"title":"Alarms"'));
    for (const id of alarmIds) expect([id, shown.includes(`"${id}","Arn"`)]).toEqual([id, true]);
  });

  it('shows recovery on the dashboard as totals over all campaigns only: no SEARCH by campaign, no log query, whatever the number of campaigns', () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    // The body is JSON in a string in an Fn::Join: compared without its escapes.
    const body = JSON.stringify(dashboard.Properties.DashboardBody).replace(/\\/g, '');
    for (const metric of ['LinksMinted', 'Resumes', 'EarlyResumes', 'Completions']) expect(body).toContain(`["SessionRecovery","${metric}"`);
    expect(body).not.toContain('campaign}');
    expect(body).not.toContain('"type":"log"');
    expect(body).toMatch(/"title":"Recovery totals over the time range, all campaigns".*?"setPeriodToTimeRange":true/);
  });

  it('gives the entries table the sparse campaigns index, and the Lambdas that count exactly the keys they write', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'campaigns',
          KeySchema: [
            { AttributeName: 'campaign_project', KeyType: 'HASH' },
            { AttributeName: 'campaign_sort', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['campaign', 'links_minted', 'entries_resumed', 'completions'] },
        }),
      ],
    });
    const statements = (prefix: string) =>
      Object.entries(template.findResources('AWS::IAM::Policy'))
        .filter(([id]) => id.startsWith(prefix))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Condition?: unknown; Resource: unknown }>);
    // A person's resume: its note and the campaign's counter, nothing else, with UpdateItem under these prefixes.
    expect(statements('SessionRecoveryLoadEntryData')).toContainEqual(
      expect.objectContaining({
        Action: 'dynamodb:UpdateItem',
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['resumed#*', 'campaign#*'] } },
      }),
    );
    // PutItem only on verify# keys: an entry's verification attempts (a flow's verify_field), never an entry.
    expect(statements('SessionRecoveryLoadEntryData').filter((s) => [s.Action].flat().includes('dynamodb:PutItem'))).toEqual([
      expect.objectContaining({ Action: 'dynamodb:PutItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['verify#*'] } } }),
    ]);
    // The campaign routes: a campaign's items by key, and the index, no other.
    expect(statements('SessionRecoveryEntriesFunction')).toContainEqual(
      expect.objectContaining({ Action: 'dynamodb:BatchGetItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['campaign#*'] } } }),
    );
    const query = statements('SessionRecoveryEntriesFunction').find((s) => s.Action === 'dynamodb:Query');
    expect(JSON.stringify(query?.Resource)).toContain('/index/campaigns');
  });

  it('gives every Lambda its own role with no AWS-managed policy', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});
