import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SessionRecovery } from '../../lib/index';
import { docSection, repositoryRoot } from '../support/docs';

/*
 * The README's "As a construct in your own CDK app", run as written: its TypeScript app against the package's entry
 * point (lib/index.ts, what jsii compiles), its install command and its Python app naming what package.json builds.
 * test/package/ installs the real tarball and wheel in fresh apps (.ci/run).
 */

const manifest = JSON.parse(readFileSync(path.join(repositoryRoot, 'package.json'), 'utf8')) as {
  name: string;
  jsii: { targets: { python: { distName: string; module: string } } };
};
const section = docSection('README.md', 'As a construct in your own CDK app');
const block = (language: string) => new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(section)![1];

it('installs the package by its name in package.json, with its peer dependencies', () => {
  expect(block('sh')).toBe(`npm install ${manifest.name} aws-cdk-lib constructs\n`);
});

it("the TypeScript app synthesizes the service into the team's own stack, with the origins it gives", () => {
  const [imports, body] = [block('ts').split('\n\n')[0], block('ts').split('\n\n').slice(1).join('\n\n')];
  expect(imports).toBe(`import { App, Stack } from 'aws-cdk-lib';\nimport { SessionRecovery } from '${manifest.name}';`);
  const run = new Function('App', 'Stack', 'SessionRecovery', `${body}\nreturn { stack, recovery };`) as (...args: unknown[]) => {
    stack: Stack;
    recovery: SessionRecovery;
  };
  const { stack, recovery } = run(App, Stack, SessionRecovery);
  expect(section).toContain("`recovery.grantMint(role)` lets your backend's role mint links");
  expect(typeof recovery.grantMint).toBe('function');
  expect(stack.stackName).toBe('Checkout');
  const template = Template.fromStack(stack);
  expect(Object.keys(template.findResources('AWS::Lambda::Function')).length).toBeGreaterThanOrEqual(10);
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ ALLOWED_ORIGINS: 'https://app.example.com' }) },
  });
});

it('the Python app installs the wheel npm run package builds and imports the module it holds', () => {
  const { distName, module } = manifest.jsii.targets.python;
  expect(section).toContain('the wheel `npm run package` builds under `dist/python/`');
  expect(section).toContain(`pip install dist/python/${distName.replaceAll('-', '_')}-*.whl aws-cdk-lib`);
  expect(block('python')).toContain(`from ${module} import SessionRecovery`);
  expect(block('python')).toContain('SessionRecovery(stack, "Recovery", allowed_origins=["https://app.example.com"])');
});
