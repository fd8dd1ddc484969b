import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..', '..');

it('`npm run synth` (cdk synth) works offline with no AWS credentials, reads its context, and prints only where the template went', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'sr-synth-'));
  try {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !k.startsWith('AWS_') && !k.startsWith('CDK_')) env[k] = v;
    }
    env.AWS_EC2_METADATA_DISABLED = 'true';
    // npm run synth's script, with cdk's arguments after it.
    const printed = execFileSync(process.execPath, [
      path.join(root, 'scripts', 'synth.mjs'), '-o', out,
      '-c', 'allowedOrigins=https://x.example',
      '-c', 'loadEntryDataReservedConcurrency=100',
      '-c', 'legacyReservedConcurrency=20',
      '-c', 'tableRemovalPolicy=retain',
      '-c', 'provisionedConcurrency=2',
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
    expect(resources.filter((r) => r.Type === 'AWS::Lambda::Alias').map((r) => r.Properties.ProvisionedConcurrencyConfig)).toEqual([{ ProvisionedConcurrentExecutions: 2 }]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 120_000);
