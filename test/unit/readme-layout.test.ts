import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { docSection, docText } from '../support/docs';

const root = path.join(import.meta.dirname, '..', '..');
const readme = docText('README.md');
const block = docSection('CONTRIBUTING.md', 'Layout').split('```')[1];
/** The paths the Layout block names, in its order (continuation lines start with spaces). */
const named = [...block.matchAll(/^(\S+)\s/gm)].map((m) => m[1]);

it("the README's Layout names only paths that exist, in order", () => {
  for (const entry of named.filter((n) => !n.includes('<'))) expect([entry, existsSync(path.join(root, entry))]).toEqual([entry, true]);
  const key = (entry: string) => entry.replace('<function>', '');
  expect(named.map(key)).toEqual([...named.map(key)].sort());
});

it("the README's Layout names every top-level folder the repository tracks, and every layer of lambdas/", () => {
  const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n');
  const folders = new Set(tracked.filter((f) => f.includes('/')).map((f) => `${f.split('/')[0]}/`));
  folders.delete('.ci/');
  for (const folder of [...folders, 'lambdas/domain/', 'lambdas/adapters/', 'lambdas/http/', 'lambdas/runtime/']) {
    expect([folder, named.some((n) => n === folder || n.startsWith(folder))]).toEqual([folder, true]);
  }
});

describe("the README's quick start says what npm test runs: the type check, the lint and every test", () => {
  const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  /** Runs npm test's script with an `npm` on the PATH that records each call and fails the one named `failing`. */
  const npmTest = (failing = '') => {
    const dir = mkdtempSync(path.join(tmpdir(), 'npm-test-'));
    try {
      const calls = path.join(dir, 'calls');
      writeFileSync(path.join(dir, 'npm'), `#!/bin/sh\necho "$*" >> "${calls}"\ncase "$*" in *"run ${failing} "*|*"run ${failing}") exit 3;; esac\n`, {
        mode: 0o755,
      });
      const [command, script] = scripts.test.split(' ');
      const result = spawnSync(command === 'node' ? process.execPath : command, [script, 'test/unit/one.test.ts'], {
        cwd: root,
        env: { ...process.env, PATH: `${dir}${path.delimiter}${process.env.PATH}` },
        encoding: 'utf8',
      });
      return { status: result.status, calls: readFileSync(calls, 'utf8').trim().split('\n').sort(), stderr: result.stderr };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('the README says so', () => {
    expect(readme).toContain('npm test                # type-checks, lints, and runs every test against the emulator');
  });

  it('runs the three, its arguments going to Jest, and passes when they pass', () => {
    const { status, calls } = npmTest();
    expect(calls).toEqual(['run lint', 'run test:jest -- test/unit/one.test.ts', 'run typecheck']);
    expect(status).toBe(0);
  });

  it.each(['typecheck', 'lint', 'test:jest'])('fails when npm run %s fails, and still runs the other two', (failing) => {
    const { status, calls, stderr } = npmTest(failing);
    expect(calls).toHaveLength(3);
    expect(status).toBe(1);
    expect(stderr).toContain(`npm run ${failing} FAILED`);
  });
});

it("the README's Tests section names every command .ci/run adds to npm test", () => {
  const section = docSection('README.md', 'Tests');
  const commands = readFileSync(path.join(root, '.ci', 'run'), 'utf8')
    .split('\n')
    .filter((line) => /^(?:\w+=\S+ )*(?:npm|node) /.test(line));
  const named = commands
    .map((line) => line.replace(/^(?:\w+=\S+ )*/, ''))
    .map((line) => (/test\/[\w/.-]+/.exec(line) ?? /npm ci|npm test|npm run [\w:]+(?: -- --quick)?/.exec(line))![0]);
  expect(named).toEqual(['npm ci', 'npm test', 'test/attack/fuzz.test.ts', 'npm run package', 'test/package/', 'npm run bench -- --quick']);
  for (const name of named) expect([name, section.includes(`\`${name}\``)]).toEqual([name, true]);
});
