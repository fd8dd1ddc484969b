import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { ROUTE_LIST } from '../../lambdas/http/routes';
import { SessionRecoveryStack } from '../../lib/session-recovery-stack';
import { templateApp } from '../support/template-app';

const acknowledgements = (root: IConstruct) =>
  root.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
    .flatMap((m) => Object.entries(m.data as Record<string, unknown>));

/** Each acknowledgement as where it is (its path under the construct) and the finding it names. */
const acknowledged = (stack: SessionRecoveryStack) =>
  stack.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.keys(m.data as Record<string, unknown>))
      .map((id) => `${c.node.path.replace(`${stack.node.id}/SessionRecovery/`, '')} ${id.replace(/^Annotation::/, '')}`),
  );

/** The routes public by design, as their construct ids spell them (`POST--v1--entries`), with their preflights. */
const publicRouteIds = new Set(
  ROUTE_LIST.filter((r) => r.access !== 'iam').flatMap((r) =>
    [r.method, ...(r.access === 'public' ? ['OPTIONS'] : [])].map((m) => `${m}${r.path.replace(/\//g, '--')}`),
  ),
);

/** The start of an ARN as cdk-nag renders it, in an environment-agnostic stack or one with its account and region. */
const arnOf = (service: string) => `arn:<AWS::Partition>:${service}:(?:<AWS::Region>|[a-z0-9-]+):(?:<AWS::AccountId>|\\d{12}):`;

/** What security.md says is acknowledged, each naming one exact finding. */
const EXPLAINED: Array<[string, RegExp]> = [
  ['X-Ray writes need Resource: *', /^\w+Role AwsSolutions-IAM5\[Resource::\*\]$/],
  [
    'the secret prefixes',
    new RegExp(`^\\w+Role AwsSolutions-IAM5\\[Resource::${arnOf('secretsmanager')}secret:session-recovery[a-z0-9-]*/(projects|legacy-flows)/\\*\\]$`),
  ],
  [
    "the admin routes' path parameters",
    new RegExp(
      `^(?:Admin|Entries|Mint|Credentials|LegacyKeys)ApiPolicy AwsSolutions-IAM5\\[Resource::${arnOf('execute-api')}<\\w+>/\\$default/[A-Z]+/[^*\\]]*\\*[^\\]]*\\]$`,
    ),
  ],
  ['the routes public by design', /^Api\/(\S+) AwsSolutions-APIG4$/],
  ["the save key's rotation by hand", /^SaveKey AwsSolutions-SMG4$/],
];
const explanationOf = (ack: string): string | undefined => {
  const [name, rule] = EXPLAINED.find(([, r]) => r.test(ack)) ?? [];
  if (rule && name === 'the routes public by design') {
    const route = rule.exec(ack)![1];
    return route === 'DefaultRoute' || publicRouteIds.has(route) ? name : undefined;
  }
  return name;
};

describe.each([
  ['an environment-agnostic stack', undefined, {}],
  ['a stack with an explicit account and region', { account: '111122223333', region: 'eu-west-1' }, {}],
  ['a stack with the legacy route switched off', undefined, { legacyEnabled: false }],
  ['a stack serving the current contract on a Function URL too', undefined, { currentContractFunctionUrl: true }],
  ['a stack with provisioned concurrency on load-entry-data and its Function URL', undefined, { provisionedConcurrency: 2, currentContractFunctionUrl: true }],
  ['a stack with tracing off and strongly consistent reads', undefined, { activeTracing: false, consistentReads: true }],
  ['a stack with expired-link events', undefined, { expiredLinkEvents: true }],
  [
    'a stack serving short links on its own domain',
    { account: '111122223333', region: 'eu-west-1' },
    {
      shortLinkDomain: { domainName: 'go.example.com', certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789abc' },
    },
  ],
])('cdk-nag AwsSolutionsChecks on %s', (_name, env, sessionRecovery) => {
  const app = templateApp();
  const stack = new SessionRecoveryStack(app, 'Nag', { env, sessionRecovery });
  const report = new AwsSolutionsChecks(app).validateScope(stack);

  it('reports no unacknowledged error or warning', () => {
    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges only what security.md lists, each acknowledgement naming one exact finding', () => {
    const acks = acknowledged(stack);
    expect(acks.filter((ack) => explanationOf(ack) === undefined)).toEqual([]);
  });

  it('gives every acknowledgement a written reason', () => {
    const acks = acknowledgements(stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const [id, data] of acks) {
      const reason = typeof data === 'string' ? data : (data as { reason?: string }).reason;
      expect([id, (reason ?? '').length > 30]).toEqual([id, true]);
    }
  });
});
