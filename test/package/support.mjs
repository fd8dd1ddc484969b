// What the package tests share: the artifacts `npm run package` built, a temporary folder, and a command runner whose
// environment has no Docker (CDK_DOCKER names no program, and PATH holds only Node's folder and the system's) and no
// AWS credentials, so a synth that wanted to bundle or to call AWS would fail.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const root = path.join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

/** The one file under dist/<target> whose name ends with `suffix`, as `npm run package` lays it out. */
export const artifact = (target, suffix) => {
  const dir = path.join(root, 'dist', target);
  const found = (() => {
    try {
      return readdirSync(dir).filter((f) => f.endsWith(suffix));
    } catch {
      return [];
    }
  })();
  if (found.length !== 1) throw new Error(`expected one *${suffix} in ${dir}, found ${found.length}: run npm run package first`);
  return path.join(dir, found[0]);
};

/** The version of `name` this repository builds against (package-lock.json), so both sides synthesize with the same CDK. */
export const installedVersion = (name) => JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version;

export const packageName = pkg.name;

export const tempDir = (label) => mkdtempSync(path.join(tmpdir(), `session-recovery-${label}-`));

/** The environment a consumer's commands run in: no Docker, no AWS, no esbuild from this repository. */
export const consumerEnv = () => {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_') && !k.startsWith('CDK_') && !k.startsWith('npm_')) env[k] = v;
  env.PATH = [path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter);
  env.CDK_DOCKER = '/nonexistent/docker';
  env.AWS_EC2_METADATA_DISABLED = 'true';
  return env;
};

export const run = (cwd, file, args, env = consumerEnv()) =>
  execFileSync(file, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });

/** The props both apps give the construct: a few that change what it builds. */
export const PROPS = { allowedOrigins: ['https://app.example.com'], expiredLinkEvents: true, provisionedConcurrency: 2, environmentName: 'consumer' };

/**
 * A template's resources without CDK's version-reporting resource (it names the packages that built it) and without
 * each resource's Metadata (the construct path, which the cdk CLI adds and an in-process synth does not).
 */
export const resourcesOf = (templateFile) => {
  const { Resources } = JSON.parse(readFileSync(templateFile, 'utf8'));
  delete Resources.CDKMetadata;
  for (const resource of Object.values(Resources)) delete resource.Metadata;
  return Resources;
};

/** The logical ids whose resources differ between two templates' resources: none when they are the same. */
export const differing = (a, b) => [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((id) => JSON.stringify(a[id]) !== JSON.stringify(b[id])).sort();

/**
 * This repository's template for PROPS: the construct from lib/ (the TypeScript sources, through tsx), in a stack
 * named like the consumers', with the same grant, and the prebuilt assets the package ships.
 */
export const repositoryTemplate = () => {
  const out = tempDir('repo');
  execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `import { App, Stack } from 'aws-cdk-lib';
       import { SessionRecovery } from ${JSON.stringify(path.join(root, 'lib', 'index.ts'))};
       const app = new App({ outdir: ${JSON.stringify(out)} });
       const recovery = new SessionRecovery(new Stack(app, 'Consumer'), 'Recovery', ${JSON.stringify(PROPS)});
       recovery.grantMint(recovery.functions.mint);
       app.synth();`,
    ],
    { cwd: root, encoding: 'utf8', env: { ...consumerEnv(), PATH: process.env.PATH } },
  );
  return path.join(out, 'Consumer.template.json');
};
