import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { offline, sharedAssembly, SYNTH_CONTEXT } from '../support/assembly';

const root = path.join(import.meta.dirname, '..', '..');

it('`npm run synth` (cdk synth) works offline with no AWS credentials, reads its context, and prints only where the template went', async () => {
  // The run's one bundled synthesis (test/support/assembly.ts: npm run synth's script, with cdk's arguments after it).
  const { outdir: out, printed } = await sharedAssembly();
  const template = JSON.parse(readFileSync(path.join(out, 'SessionRecovery.template.json'), 'utf8')) as {
    Resources: Record<string, { Type: string; DeletionPolicy?: string; Properties: Record<string, unknown> }>;
  };
  const types = Object.values(template.Resources).map((r) => r.Type);
  expect(printed).toBe(`Synthesized SessionRecovery: ${path.relative(root, path.join(out, 'SessionRecovery.template.json'))} (${types.length} resources).\n`);
  expect(types).toEqual(expect.arrayContaining(['AWS::ApiGatewayV2::Api', 'AWS::Lambda::Function', 'AWS::DynamoDB::GlobalTable']));
  expect(JSON.stringify(template)).toContain('https://x.example');
  const resources = Object.values(template.Resources);
  const reserved = resources
    .filter((r) => r.Type === 'AWS::Lambda::Function')
    .map((r) => Number(r.Properties.ReservedConcurrentExecutions))
    .filter(Boolean);
  expect(reserved.sort((a, b) => a - b)).toEqual([20, 100]);
  expect(resources.find((r) => r.Type === 'AWS::DynamoDB::GlobalTable')?.DeletionPolicy).toBe('Retain');
  expect(resources.find((r) => r.Type === 'AWS::ApiGatewayV2::DomainName')?.Properties.DomainName).toBe('go.example.com');
  const variables = (r: { Properties: Record<string, unknown> }) => (r.Properties.Environment as { Variables?: Record<string, string> } | undefined)?.Variables;
  // The two resume Lambdas', current and legacy (legacyEnabled and legacySunset: test/infra/context.test.ts).
  const expiredEvents = resources.filter((r) => r.Type === 'AWS::Lambda::Function' && variables(r)?.EXPIRED_LINK_EVENTS === 'true');
  expect(expiredEvents.map((r) => variables(r)?.LEGACY_ENABLED ?? 'current')).toEqual(expect.arrayContaining(['current', 'true']));
  expect(expiredEvents).toHaveLength(2);
  expect(resources.filter((r) => r.Type === 'AWS::Lambda::Alias').map((r) => r.Properties.ProvisionedConcurrencyConfig)).toEqual([
    { ProvisionedConcurrentExecutions: 2 },
  ]);
  expect(variables(resources.find((r) => r.Type === 'AWS::Lambda::Function')!)?.SECRET_PREFIX).toBe(SYNTH_CONTEXT.secretPrefix);
}, 180_000);

/**
 * The CDK app run as `cdk synth` runs it (the context in CDK_CONTEXT_JSON, the output folder in CDK_OUTDIR), without the
 * cdk CLI's process, which the first test runs: offline, and without CDK's WebAssembly template validation (cfn-lint
 * checks the templates), which would add seconds to each run and changes nothing the checks below read.
 */
const runApp = (app: string, context: Record<string, unknown>) => {
  const out = mkdtempSync(path.join(tmpdir(), 'sr-app-'));
  try {
    return spawnSync(process.execPath, ['--import', 'tsx', app], {
      cwd: root,
      env: { ...offline(), CDK_VALIDATION: 'false', CDK_OUTDIR: out, CDK_CONTEXT_JSON: JSON.stringify({ ...context, 'aws:cdk:bundling-stacks': [] }) },
      encoding: 'utf8',
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
};

it('refuses a short-link domain without its certificate (the two context keys go together)', () => {
  const result = runApp(path.join(root, 'bin', 'session-recovery.ts'), { shortLinkDomain: 'go.example.com' });
  expect(result.status).not.toBe(0);
  expect(result.stderr).toContain('context shortLinkDomain and shortLinkCertificateArn go together: give both, or neither');
}, 120_000);

it('runs cdk-nag AwsSolutionsChecks on every synth of the app: a finding nobody acknowledged fails it', () => {
  // The app as bin/session-recovery.ts builds it, plus a stack with an S3 bucket that breaks two of the rules.
  // Written beside bin/ (test-results/ is one level down too), so the app's relative imports still resolve.
  const app = path.join(root, 'test-results', `nag-app-${process.pid}.ts`);
  mkdirSync(path.dirname(app), { recursive: true });
  writeFileSync(
    app,
    `${readFileSync(path.join(root, 'bin', 'session-recovery.ts'), 'utf8')}
import { Stack as NagCheckStack } from 'aws-cdk-lib';
import { Bucket as NagCheckBucket } from 'aws-cdk-lib/aws-s3';
new NagCheckBucket(new NagCheckStack(app, 'NagCheck'), 'Unchecked');
`,
  );
  try {
    const result = runApp(app, {});
    expect(result.status).not.toBe(0);
    const findings = [...`${result.stdout}${result.stderr}`.matchAll(/^ERROR .*\(AwsSolutions\)\n\s+(\S+)/gm)].map((m) => m[1]);
    expect(findings).toEqual(['NagCheck/Unchecked/Resource', 'NagCheck/Unchecked/Resource']);
  } finally {
    rmSync(app, { force: true });
  }
}, 120_000);
