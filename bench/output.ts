import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const BENCH = import.meta.dirname;

/** The files `npm run bench` and `npm run load` write. */
export const RESULT_FILES = {
  bench: ['results.json', 'results.md'],
  load: ['load-results.json', 'load-report.md'],
} as const;

/**
 * Where a run writes its results: bench/out/, which git ignores, unless it was
 * given `--record`. A recorded run writes the tracked files in bench/ that docs/performance.md
 * and bench/HISTORY.md link to, so a plain run never changes the repository.
 */
export const resultsDir = (argv: readonly string[] = process.argv): string => (argv.includes('--record') ? BENCH : path.join(BENCH, 'out'));

/** Writes a run's files (name → text) into resultsDir() and says where they went. */
export const writeResults = <K extends keyof typeof RESULT_FILES>(
  _kind: K,
  files: Readonly<Record<(typeof RESULT_FILES)[K][number], string>>,
  argv: readonly string[] = process.argv,
): void => {
  const dir = resultsDir(argv);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files) as Array<[string, string]>) writeFileSync(path.join(dir, name), text);
  const where = path.relative(process.cwd(), dir) || '.';
  process.stderr.write(
    `\nWrote ${Object.keys(files).join(', ')} to ${where}/${argv.includes('--record') ? ' (recorded)' : ' (not recorded: pass --record to update the tracked results)'}\n`,
  );
};
