import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

/**
 * A stand-in `python3` whose venv has a `pip` that prints what pip prints while
 * it installs (a "Collecting" line per package), so the script's own output can
 * be checked without PyPI. `FAIL_INSTALL=1` makes the install fail.
 */
const FAKE_PYTHON = `#!/usr/bin/env bash
if [ "$1 $2" = "-m venv" ]; then
  mkdir -p "$3/bin"
  cp "$0" "$3/bin/python"
  exit 0
fi
# "-m pip --disable-pip-version-check <command> ..."
case "$4" in
  show) echo "Name: moto"; echo "Version: 5.2.5" ;;
  install)
    case "$*" in
      *requirements-dev.txt*)
        if [ "$FAIL_INSTALL" = 1 ]; then echo "ERROR: Could not find a version that satisfies the requirement moto"; exit 1; fi
        for i in $(seq 1 23); do echo "Collecting package-$i"; echo "  Using cached package-$i.whl"; done
        echo "Installing collected packages: package-1, package-2"
        touch "$(dirname "$0")/moto_server"; chmod +x "$(dirname "$0")/moto_server"
        echo "Successfully installed package-1 package-2" ;;
    esac ;;
esac
`;

const setUp = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'setup-python-'));
  await mkdir(path.join(dir, 'scripts'));
  await mkdir(path.join(dir, 'fake-bin'));
  await copyFile(path.join(root, 'scripts', 'setup-python.sh'), path.join(dir, 'scripts', 'setup-python.sh'));
  await copyFile(path.join(root, 'requirements-dev.txt'), path.join(dir, 'requirements-dev.txt'));
  await writeFile(path.join(dir, 'fake-bin', 'python3'), FAKE_PYTHON);
  await chmod(path.join(dir, 'fake-bin', 'python3'), 0o755);
  const setup = async (env: Record<string, string> = {}) => {
    try {
      const { stdout, stderr } = await run('bash', [path.join(dir, 'scripts', 'setup-python.sh')], {
        env: { ...process.env, ...env, PATH: `${path.join(dir, 'fake-bin')}${path.delimiter}${process.env.PATH}` },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  return { setup, cleanup: () => rm(dir, { recursive: true, force: true }) };
};

/** Seconds vary from run to run. */
const timeless = (text: string) => text.replace(/\d+ s\b/g, 'N s');

it('says on its first line that it is installing the emulator and about how long it takes, then shows progress; later runs are silent', async () => {
  const { setup, cleanup } = await setUp();
  try {
    const first = await setup();
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('');
    expect(timeless(first.stderr).split('\n')).toEqual([
      'setup-python: installing the AWS emulator (moto) and cfn-lint into .venv from PyPI; first run only, usually under a minute.',
      'setup-python: [1/3] created .venv (N s)',
      'setup-python: [2/3] upgraded pip (N s)',
      'setup-python: [3/3] downloaded 10 packages (N s)',
      'setup-python: [3/3] downloaded 20 packages (N s)',
      'setup-python: [3/3] downloaded 23 packages; installing them, the longest step (about N s) (N s)',
      'setup-python: installed moto 5.2.5 into .venv in N s.',
      '',
    ]);
    expect(await setup()).toEqual({ code: 0, stdout: '', stderr: '' });
  } finally {
    await cleanup();
  }
});

it("shows pip's own output and exits 1 when the install fails", async () => {
  const { setup, cleanup } = await setUp();
  try {
    const failed = await setup({ FAIL_INSTALL: '1' });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('ERROR: Could not find a version that satisfies the requirement moto\n');
    expect(failed.stderr).toContain(
      'setup-python: installing requirements-dev.txt failed (full output in .venv/setup-python.log). PyPI must be reachable on the first run.\n',
    );
  } finally {
    await cleanup();
  }
});
