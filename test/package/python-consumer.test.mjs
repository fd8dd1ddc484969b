// The Python package jsii-pacmak builds (issue 29): the wheel installed with aws-cdk-lib and constructs from PyPI into a
// fresh virtual environment, a small Python CDK app, and its template compared with this repository's for the same
// props, asset hashes included (the same Lambda bytes, shipped inside the wheel's npm tarball). No esbuild, no Docker.
// Not part of npm test (it installs from PyPI, a few minutes): .ci/run runs it after `npm run package`.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { artifact, consumerEnv, differing, installedVersion, PROPS, repositoryTemplate, resourcesOf, run, tempDir } from './support.mjs';

test('a Python CDK app synthesizes the construct from the wheel, to the repository template', { timeout: 900_000 }, () => {
  const wheel = artifact('python', '.whl');
  const app = tempDir('py-consumer');
  run(app, 'python3', ['-m', 'venv', '.venv']);
  const python = path.join(app, '.venv', 'bin', 'python');
  run(app, python, [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--disable-pip-version-check',
    wheel,
    `aws-cdk-lib>=2.275.0,<=${installedVersion('aws-cdk-lib')}`,
    `constructs<=${installedVersion('constructs')}`,
  ]);

  writeFileSync(
    path.join(app, 'app.py'),
    [
      'import aws_cdk as cdk',
      'from session_recovery import SessionRecovery',
      '',
      "app = cdk.App(outdir='cdk.out')",
      "stack = cdk.Stack(app, 'Consumer')",
      'recovery = SessionRecovery(',
      "    stack, 'Recovery',",
      `    allowed_origins=${JSON.stringify(PROPS.allowedOrigins)},`,
      `    expired_link_events=True,`,
      `    provisioned_concurrency=${PROPS.provisionedConcurrency},`,
      `    environment_name=${JSON.stringify(PROPS.environmentName)},`,
      ')',
      "recovery.grant_mint(recovery.functions['mint'])",
      'app.synth()',
    ].join('\n'),
  );
  run(app, python, ['app.py'], consumerEnv());

  const consumer = resourcesOf(path.join(app, 'cdk.out', 'Consumer.template.json'));
  const repository = resourcesOf(repositoryTemplate());
  assert.deepEqual(differing(consumer, repository), []);
  assert.equal(Object.values(consumer).filter((r) => r.Type === 'AWS::Lambda::Function').length >= 10, true);
});
