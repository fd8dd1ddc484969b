import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..', '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const block = readme.slice(readme.indexOf('## Layout')).split('```')[1];
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

it("the README's quick start says what npm test runs: the type check, the lint and every test", () => {
  const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  expect(readme).toContain('npm test                # type-checks, lints, and runs every test against the emulator');
  expect(scripts.test.split(' && ').map((step) => step.replace(/^\S+=\S+ /, ''))).toEqual(['npm run typecheck', 'npm run lint', 'npm run test:jest']);
});
