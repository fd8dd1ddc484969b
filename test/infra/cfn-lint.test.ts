import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SessionRecoveryStack } from '../../lib/session-recovery-stack';
import { templateApp } from '../support/template-app';

const cfnLint = path.join(import.meta.dirname, '..', '..', '.venv', 'bin', 'cfn-lint');

it.each([
  ['the default stack', {}],
  [
    'the stack with the legacy route switched off, reserved and provisioned concurrency, a Function URL for the current contract and a destroyable table',
    { legacyEnabled: false, loadEntryDataReservedConcurrency: 100, legacyReservedConcurrency: 20, provisionedConcurrency: 2, currentContractFunctionUrl: true, tableRemovalPolicy: RemovalPolicy.DESTROY },
  ],
  ['the stack with expired-link events', { expiredLinkEvents: true }],
  [
    'the stack serving short links on its own domain',
    { shortLinkDomain: { domainName: 'go.example.com', certificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789abc' } },
  ],
])('cfn-lint (pinned in requirements-dev.txt) finds no error and no warning in %s', (_name, sessionRecovery) => {
  const template = Template.fromStack(new SessionRecoveryStack(templateApp(), 'Lint', { sessionRecovery })).toJSON();
  const dir = mkdtempSync(path.join(tmpdir(), 'sr-cfn-lint-'));
  try {
    const file = path.join(dir, 'template.json');
    writeFileSync(file, JSON.stringify(template));
    const result = spawnSync(cfnLint, ['--regions', 'us-east-1', 'eu-west-1', '--', file], { encoding: 'utf8' });
    expect(result.error).toBeUndefined();
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.status).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
