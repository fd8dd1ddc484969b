import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { RESULT_FILES, resultsDir } from '../../bench/output';

const root = path.join(import.meta.dirname, '..', '..');
const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });
const files = Object.values(RESULT_FILES).flat();

it.each(files)('a plain `npm run bench` or `npm run load` writes %s where git ignores it', (name) => {
  const file = path.join(resultsDir(['node', 'bench/run.ts']), name);
  expect(git('check-ignore', '--quiet', file).status).toBe(0);
});

it.each(files)('with --record it writes %s over the tracked file docs/performance.md links to', (name) => {
  const file = path.relative(root, path.join(resultsDir(['node', 'bench/run.ts', '--record']), name));
  expect(git('ls-files', '--error-unmatch', file).status).toBe(0);
});
