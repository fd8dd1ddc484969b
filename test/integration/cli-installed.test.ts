/**
 * The `session-recovery` command as an install without devDependencies gets it:
 * the committed bin/session-recovery-cli.js beside the production dependencies of
 * package-lock.json (`npm ci --omit=dev`, from npm's cache), with no tsx,
 * TypeScript, esbuild or CDK to fall back on.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LocalRuntime } from '../../local/runtime';
import { deleteEntry, deleteProject, uid } from '../support/seed';
import { registerSensitive } from '../support/sensitive';
import { startTestRuntime } from '../support/runtime';

const root = path.join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const dir = mkdtempSync(path.join(os.tmpdir(), 'session-recovery-install-'));
const bin = path.join(dir, 'bin', 'session-recovery-cli.js');

const cli = async (args: string[], env: Record<string, string> = {}) => {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, NODE_OPTIONS: '', NODE_PATH: '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

let runtime: LocalRuntime;
beforeAll(async () => {
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(path.join(root, file), path.join(dir, file));
  mkdirSync(path.dirname(bin));
  copyFileSync(path.join(root, 'bin', 'session-recovery-cli.js'), bin);
  // Offline: `npm ci` of this checkout has put every locked package in npm's cache.
  await run('npm', ['ci', '--omit=dev', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir });
  runtime = await startTestRuntime();
}, 120_000);
afterAll(async () => {
  await runtime?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('has no tsx, TypeScript, esbuild or CDK to run with', () => {
  const resolve = createRequire(bin).resolve;
  for (const name of ['tsx', 'typescript', 'esbuild', 'aws-cdk-lib', 'constructs', 'aws-cdk']) {
    expect(() => resolve(name)).toThrow(expect.objectContaining({ code: 'MODULE_NOT_FOUND' }));
  }
  expect(resolve('commander')).toBe(path.join(dir, 'node_modules', 'commander', 'index.js'));
});

it('runs the journey: create a credential, save an entry, mint a link', async () => {
  const projectId = uid('proj');
  const entryId = uid('entry');
  try {
    const ep = ['--endpoint', runtime.apiUrl, '--json'];
    const created = await cli([...ep, 'credentials', 'create', '--project', projectId, '--label', 'installed']);
    expect(created.code).toBe(0);
    registerSensitive((JSON.parse(created.stdout) as { secret: string }).secret);
    const put = await cli([
      ...ep,
      'entries',
      'put',
      '--entry',
      entryId,
      '--project',
      projectId,
      '--flow',
      'flow_installed',
      '--page',
      'page_1',
      '--data',
      '{}',
    ]);
    expect(put.code).toBe(0);
    const minted = await cli([...ep, 'mint', '--project', projectId, '--entry', entryId]);
    expect(minted.code).toBe(0);
    const link = JSON.parse(minted.stdout) as { token: string; entry_id: string };
    registerSensitive(link.token);
    expect(link.entry_id).toBe(entryId);
    expect(link.token).toMatch(/^[0-9a-f]{64}$/);
  } finally {
    await deleteEntry(entryId);
    await deleteProject(projectId);
  }
});

it('signs with SigV4 from the default credential chain (loaded on demand from @aws-sdk/credential-providers)', async () => {
  let seen: IncomingHttpHeaders | undefined;
  const server = createServer((req, res) => {
    seen = req.headers;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"credentials":[]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as AddressInfo;
    const result = await cli(
      ['--endpoint', `http://127.0.0.1:${port}`, '--sign', 'always', '--region', 'eu-west-1', 'credentials', 'list', '--project', 'p1'],
      {
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        AWS_SESSION_TOKEN: '',
        AWS_PROFILE: '',
      },
    );
    expect(result).toEqual({ code: 0, stdout: 'No credentials.\n', stderr: '' });
    expect(seen?.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, /);
  } finally {
    server.close();
  }
});
