import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { SessionRecoveryStack } from '../../lib/session-recovery-stack';
import { templateApp } from '../support/template-app';

const root = path.join(import.meta.dirname, '..', '..');
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const urlsOf = (resources: Resources) =>
  Object.fromEntries(
    Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Url')
      .map(([id, r]) => [id, { Qualifier: r.Properties.Qualifier, TargetFunctionArn: r.Properties.TargetFunctionArn }]),
  );

it("the current contract's Function URL keeps its logical id, qualifier and target whether provisionedConcurrency is on or off: toggling it never gives the URL a new host", () => {
  const template = (provisionedConcurrency: number) =>
    Template.fromStack(
      new SessionRecoveryStack(templateApp(), 'Toggled', { sessionRecovery: { currentContractFunctionUrl: true, provisionedConcurrency } }),
    ).toJSON() as { Resources: Resources };
  const [off, on] = [template(0), template(3)];
  const urls = urlsOf(off.Resources);
  expect(Object.keys(urls)).toHaveLength(2);
  expect(urlsOf(on.Resources)).toEqual(urls);
  const current = Object.entries(urls).find(([id]) => id.startsWith('SessionRecoveryLoadEntryDataFunctionUrl'))!;
  expect(current[1].Qualifier).toBe('live');
});

describe('legacyFunctionUrl: false (context -c legacyFunctionUrl=false), for a deployment that never had legacy pages', () => {
  let template: { Resources: Resources; Outputs: Record<string, unknown> };
  beforeAll(() => {
    const out = mkdtempSync(path.join(tmpdir(), 'sr-legacy-url-'));
    try {
      execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'bin', 'session-recovery.ts')], {
        cwd: root,
        env: {
          ...process.env,
          CDK_OUTDIR: out,
          CDK_CONTEXT_JSON: JSON.stringify({ stackName: 'NoLegacy', legacyFunctionUrl: 'false', 'aws:cdk:bundling-stacks': [] }),
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      template = JSON.parse(readFileSync(path.join(out, 'NoLegacy.template.json'), 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);

  it('omits the legacy Function URL, its output, its alarms and its metric filters', () => {
    expect(urlsOf(template.Resources)).toEqual({});
    expect(Object.keys(template.Outputs)).not.toContain('LegacyLoadEntryDataUrl');
    const text = JSON.stringify(Object.values(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::Logs::MetricFilter'));
    expect(text).not.toMatch(/Legacy/);
    expect(
      Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Permission' && JSON.stringify(r.Properties).includes('LegacyLoadEntryData')),
    ).toEqual([]);
  });

  it('leaves the legacy Lambda, which nothing invokes, no access to the table or the secrets', () => {
    const [roleId] = Object.keys(template.Resources).filter((id) => /^SessionRecoveryLegacyLoadEntryDataRole[0-9A-F]{8}$/.test(id));
    const policies = Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(roleId!));
    expect(JSON.stringify(policies)).not.toMatch(/dynamodb:|secretsmanager:/);
  });
});

it('refuses legacyEnabled: true without the legacy Function URL', () => {
  expect(() => new SessionRecoveryStack(templateApp(), 'Both', { sessionRecovery: { legacyFunctionUrl: false, legacyEnabled: true } })).toThrow(
    'legacyEnabled: true needs the legacy Function URL',
  );
});
