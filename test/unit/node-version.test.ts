import { execFile, execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

const majorOf = (node: string): number => Number(execFileSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).split('.')[0]);

/** A Node.js older than the one this suite runs on, from the machine's PATH (Debian's node 20 here), or undefined. */
const olderNode = ((): { node: string; major: number } | undefined => {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const node = path.join(dir, 'node');
    try {
      const major = majorOf(node);
      if (major < Number(process.versions.node.split('.')[0])) return { node, major };
    } catch {
      // no node in this directory
    }
  }
  return undefined;
})();

const runFailing = async (file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) => {
  try {
    const { stdout, stderr } = await run(file, args, { ...options, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

it('.nvmrc names the major version package.json requires, and npm enforces it (engine-strict)', async () => {
  const nvmrc = (await readFile(path.join(root, '.nvmrc'), 'utf8')).trim();
  const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
  expect(pkg.engines.node).toBe(`>=${nvmrc}`);
  expect((await readFile(path.join(root, '.npmrc'), 'utf8')).split('\n')).toContain('engine-strict=true');
});

// The check must run on a real older Node: skipped only on a machine that has no other Node.js on its PATH.
(olderNode ? describe : describe.skip)(
  `on an unsupported Node.js (${olderNode ? `${olderNode.node}, v${olderNode.major}` : 'none on the PATH: skipped'})`,
  () => {
    const env = () => ({ ...process.env, PATH: `${path.dirname(olderNode!.node)}${path.delimiter}${process.env.PATH}` });

    it('npm start stops at once with one line naming the version needed and how to get it', async () => {
      const result = await runFailing('npm', ['start', '--silent'], { cwd: root, env: env() });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `session-recovery needs Node.js 24 or later, and this is Node.js ${execFileSync(olderNode!.node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim()}: ` +
          'run "nvm install" (it reads .nvmrc) or install Node.js 24 from https://nodejs.org, then "npm ci".\n',
      );
    });

    it('npm ci refuses before installing anything', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'node-version-'));
      try {
        for (const file of ['package.json', 'package-lock.json', '.npmrc', '.nvmrc']) await copyFile(path.join(root, file), path.join(dir, file));
        const result = await runFailing('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, env: env() });
        expect(result.code).toBe(1);
        expect(result.stderr).toContain('npm error code EBADENGINE');
        expect(result.stderr).toContain('Required: {"node":">=24"}');
        expect(await readdir(dir)).not.toContain('node_modules');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
);
