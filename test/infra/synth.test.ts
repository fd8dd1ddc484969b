import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..', '..');

/** This process's environment without AWS credentials or CDK settings: synth must work offline. */
const offline = (): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('AWS_') && !k.startsWith('CDK_')) env[k] = v;
  }
  env.AWS_EC2_METADATA_DISABLED = 'true';
  return env;
};

it('`npm run synth` (cdk synth) works offline with no AWS credentials, reads its context, and prints only where the template went', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'sr-synth-'));
  try {
    const env = offline();
    // npm run synth's script, with cdk's arguments after it.
    const printed = execFileSync(process.execPath, [
      path.join(root, 'scripts', 'synth.mjs'), '-o', out,
      '-c', 'allowedOrigins=https://x.example',
      '-c', 'loadEntryDataReservedConcurrency=100',
      '-c', 'legacyReservedConcurrency=20',
      '-c', 'tableRemovalPolicy=retain',
      '-c', 'shortLinkDomain=go.example.com',
      '-c', 'shortLinkCertificateArn=arn:aws:acm:us-east-1:111122223333:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789abc',
      '-c', 'provisionedConcurrency=2',
      '-c', 'expiredLinkEvents=true',
      // As docs/migrating-from-legacy.md deploys them.
      '-c', 'legacySunset=2027-01-31',
      '-c', 'legacyEnabled=false',
    ], {
      cwd: root,
      env,
      encoding: 'utf8',
    });
    const template = JSON.parse(readFileSync(path.join(out, 'SessionRecovery.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; DeletionPolicy?: string; Properties: Record<string, unknown> }>;
    };
    const types = Object.values(template.Resources).map((r) => r.Type);
    expect(printed).toBe(`Synthesized SessionRecovery: ${path.relative(root, path.join(out, 'SessionRecovery.template.json'))} (${types.length} resources).\n`);
    expect(types).toEqual(
      expect.arrayContaining(['AWS::ApiGatewayV2::Api', 'AWS::Lambda::Function', 'AWS::DynamoDB::GlobalTable']),
    );
    expect(JSON.stringify(template)).toContain('https://x.example');
    const resources = Object.values(template.Resources);
    const reserved = resources.filter((r) => r.Type === 'AWS::Lambda::Function').map((r) => Number(r.Properties.ReservedConcurrentExecutions)).filter(Boolean);
    expect(reserved.sort((a, b) => a - b)).toEqual([20, 100]);
    expect(resources.find((r) => r.Type === 'AWS::DynamoDB::GlobalTable')?.DeletionPolicy).toBe('Retain');
    expect(resources.find((r) => r.Type === 'AWS::ApiGatewayV2::DomainName')?.Properties.DomainName).toBe('go.example.com');
    const expiredEvents = resources.filter((r) => r.Type === 'AWS::Lambda::Function' && (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.EXPIRED_LINK_EVENTS === 'true');
    // load-entry-data's only: the legacy Lambda is switched off, and reads nothing.
    expect(expiredEvents).toHaveLength(1);
    const variables = (r: { Properties: Record<string, unknown> }) => (r.Properties.Environment as { Variables?: Record<string, string> } | undefined)?.Variables;
    const legacy = resources.filter((r) => r.Type === 'AWS::Lambda::Function' && variables(r)?.LEGACY_ENABLED !== undefined).map(variables);
    expect(legacy).toEqual([expect.objectContaining({ LEGACY_ENABLED: 'false', LEGACY_SUNSET: '2027-01-31' })]);
    expect(resources.filter((r) => r.Type === 'AWS::Lambda::Alias').map((r) => r.Properties.ProvisionedConcurrencyConfig)).toEqual([{ ProvisionedConcurrentExecutions: 2 }]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 120_000);

it('refuses a short-link domain without its certificate (the two context keys go together)', () => {
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules', 'aws-cdk', 'bin', 'cdk'), 'synth', '-q', '-c', 'shortLinkDomain=go.example.com'], { cwd: root, encoding: 'utf8' });
  expect(result.status).not.toBe(0);
  expect(result.stderr).toContain('context shortLinkDomain and shortLinkCertificateArn go together: give both, or neither');
}, 120_000);

it('runs cdk-nag AwsSolutionsChecks on every synth of the app: a finding nobody acknowledged fails it', () => {
  // The app as bin/session-recovery.ts builds it, plus a stack with an S3 bucket that breaks two of the rules.
  // Written beside bin/ (test-results/ is one level down too), so the app's relative imports still resolve.
  const app = path.join(root, 'test-results', `nag-app-${process.pid}.ts`);
  const out = mkdtempSync(path.join(tmpdir(), 'sr-nag-'));
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
    // Only NagCheck's assets are bundled (-e); the checks still run on every stack of the app.
    const cdk = path.join(root, 'node_modules', 'aws-cdk', 'bin', 'cdk');
    const result = spawnSync(process.execPath, [cdk, 'synth', 'NagCheck', '-e', '-q', '-o', out, '--app', `npx tsx ${app}`], { cwd: root, env: offline(), encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    const findings = [...`${result.stdout}${result.stderr}`.matchAll(/^ERROR .*\(AwsSolutions\)\n\s+(\S+)/gm)].map((m) => m[1]);
    expect(findings).toEqual(['NagCheck/Unchecked/Resource', 'NagCheck/Unchecked/Resource']);
  } finally {
    rmSync(app, { force: true });
    rmSync(out, { recursive: true, force: true });
  }
}, 120_000);
