import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { CLI_FILE, renderCli } from '../../scripts/cli';

const pkg = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  bin: Record<string, string>;
};

it('bin/session-recovery-cli.js is up to date with clients/cli/ (run `npm run build:cli`)', async () => {
  expect(readFileSync(CLI_FILE, 'utf8')).toBe((await renderCli()).js);
});

it('is the file package.json installs as the `session-recovery` command', () => {
  expect(path.resolve(import.meta.dirname, '..', '..', pkg.bin['session-recovery'])).toBe(CLI_FILE);
});

it('imports nothing but Node built-ins and runtime dependencies', async () => {
  const { imports } = await renderCli();
  const packageOf = (specifier: string) =>
    specifier
      .split('/')
      .slice(0, specifier.startsWith('@') ? 2 : 1)
      .join('/');
  const foreign = imports.filter((i) => !i.startsWith('node:') && !builtinModules.includes(i) && !(packageOf(i) in pkg.dependencies));
  expect(imports).toContain('commander');
  expect(foreign).toEqual([]);
});
