import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { SessionRecoveryStack } from '../../lib/session-recovery-stack';
import { templateApp } from '../support/template-app';

const acknowledgements = (root: IConstruct) =>
  root.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
    .flatMap((m) => Object.entries(m.data as Record<string, unknown>));

describe.each([
  ['an environment-agnostic stack', undefined, {}],
  ['a stack with an explicit account and region', { account: '111122223333', region: 'eu-west-1' }, {}],
  ['a stack with the legacy route switched off', undefined, { legacyEnabled: false }],
  ['a stack serving the current contract on a Function URL too', undefined, { currentContractFunctionUrl: true }],
  ['a stack with provisioned concurrency on load-entry-data and its Function URL', undefined, { provisionedConcurrency: 2, currentContractFunctionUrl: true }],
  ['a stack with tracing off and strongly consistent reads', undefined, { activeTracing: false, consistentReads: true }],
  ['a stack with expired-link events', undefined, { expiredLinkEvents: true }],
  ['a stack serving short links on its own domain', { account: '111122223333', region: 'eu-west-1' }, { shortLinkDomain: { domainName: 'go.example.com', certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789abc' } }],
])('cdk-nag AwsSolutionsChecks on %s', (_name, env, sessionRecovery) => {
  const app = templateApp();
  const stack = new SessionRecoveryStack(app, 'Nag', { env, sessionRecovery });
  const report = new AwsSolutionsChecks(app).validateScope(stack);

  it('reports no unacknowledged error or warning', () => {
    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
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
