import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.join(import.meta.dirname, '..', '..');

/** Runs Jest with the project's test environment on the given test files; returns everything it printed. */
const jestOn = async (files: Record<string, string>): Promise<{ code: number; output: string }> => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sr-quiet-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    const config = {
      rootDir: dir,
      cacheDirectory: path.join(dir, '.cache'),
      testEnvironment: path.join(root, 'test', 'setup', 'quiet-environment.js'),
      transform: {},
    };
    const args = [path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', '--config', JSON.stringify(config)];
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { cwd: dir });
      return { code: 0, output: stdout + stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, output: e.stdout + e.stderr };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

it("the test environment shows what a test prints only when it fails: its own output under its name, and the file's top-level output", async () => {
  // Printed text is split in the source, so Jest's code frame of the failure cannot contain it.
  const { code, output } = await jestOn({
    'quiet.test.js': `
      console.log('top level of a passing' + ' file');
      it('passes', () => { console.log('printed by a passing' + ' test'); process.stderr.write('stderr of a passing' + ' test\\n'); });`,
    'loud.test.js': `
      console.log('top level of a failing' + ' file');
      it('passes too', () => { console.log('printed by the passing' + ' neighbour'); });
      describe('a group', () => {
        it('fails', () => { console.error('printed by the failing' + ' test'); process.stdout.write('stdout of the failing' + ' test\\n'); expect(1).toBe(2); });
      });`,
  });
  expect(code).toBe(1);
  expect(output).toContain('── loud.test.js: output of "a group › fails" ──\nprinted by the failing test\nstdout of the failing test\n');
  expect(output).toContain('── loud.test.js: output of this file outside its tests ──\ntop level of a failing file\n');
  expect(output).toContain('● a group › fails');
  for (const quiet of ['top level of a passing file', 'printed by a passing test', 'stderr of a passing test', 'printed by the passing neighbour']) {
    expect(output).not.toContain(quiet);
  }
});

it('a file that cannot load shows what it printed before it failed', async () => {
  const { code, output } = await jestOn({ 'broken.test.js': `console.log('printed while' + ' loading'); throw new Error('no such module');` });
  expect(code).toBe(1);
  expect(output).toContain('── broken.test.js: output of this file outside its tests ──\nprinted while loading\n');
  expect(output).toContain('no such module');
});
