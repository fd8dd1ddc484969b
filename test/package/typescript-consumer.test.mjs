// The npm package as a team installs it (issue 29): `npm pack`'s tarball next to aws-cdk-lib and constructs in a fresh
// folder, a TypeScript CDK app compiled by tsc, and `cdk synth`, with no esbuild installed and no Docker on the machine.
// Its template must be this repository's for the same props, asset hashes included (the same Lambda bytes).
// Not part of npm test (it installs from the npm registry, about a minute): .ci/run runs it after `npm run package`.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { artifact, differing, installedVersion, packageName, PROPS, repositoryTemplate, resourcesOf, run, tempDir } from './support.mjs';

test('a TypeScript CDK app synthesizes the packed construct without esbuild or Docker, to the repository template', { timeout: 600_000 }, () => {
  const tarball = artifact('js', '.tgz');
  const app = tempDir('ts-consumer');
  run(app, 'npm', ['init', '-y']);
  const versions = ['aws-cdk-lib', 'constructs', 'aws-cdk', 'typescript', '@types/node'].map((n) => `${n}@${installedVersion(n)}`);
  run(app, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...versions, tarball]);
  assert.equal(existsSync(path.join(app, 'node_modules', 'esbuild')), false, 'esbuild is installed in the consumer app');

  writeFileSync(
    path.join(app, 'app.ts'),
    [
      "import { App, Stack } from 'aws-cdk-lib';",
      `import { SessionRecovery, type SessionRecoveryProps } from '${packageName}';`,
      '',
      'const app = new App();',
      "const stack = new Stack(app, 'Consumer');",
      `const props: SessionRecoveryProps = ${JSON.stringify(PROPS)};`,
      "const recovery = new SessionRecovery(stack, 'Recovery', props);",
      'recovery.grantMint(recovery.functions.mint);',
      'app.synth();',
    ].join('\n'),
  );
  run(app, path.join(app, 'node_modules', '.bin', 'tsc'), [
    '--strict',
    '--module',
    'commonjs',
    '--moduleResolution',
    'node10',
    '--target',
    'es2022',
    '--types',
    'node',
    '--skipLibCheck',
    'app.ts',
  ]);
  run(app, path.join(app, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet', '--no-notices', '--app', 'node app.js', '-o', 'cdk.out']);

  const consumer = resourcesOf(path.join(app, 'cdk.out', 'Consumer.template.json'));
  const repository = resourcesOf(repositoryTemplate());
  assert.deepEqual(differing(consumer, repository), []);
  const functions = Object.values(consumer).filter((r) => r.Type === 'AWS::Lambda::Function');
  assert.equal(functions.length >= 10, true);

  const help = run(app, 'npx', ['--no-install', 'session-recovery', '--help']);
  assert.match(help, /Usage: session-recovery/);
  assert.ok(readFileSync(path.join(app, 'node_modules', packageName, 'package.json'), 'utf8').includes('"awscdk"'));
  // Construct Hub lists a package with an open-source license: the Apache-2.0 text ships in the tarball.
  assert.match(readFileSync(path.join(app, 'node_modules', packageName, 'LICENSE'), 'utf8'), /^\s*Apache License\s+Version 2\.0, January 2004/);
});
