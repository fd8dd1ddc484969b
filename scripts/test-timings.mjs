// Prints the slowest test files of the last Jest run (test-results/timings.json, test/setup/timings-reporter.js).
//   npm run test:timings                      the 20 slowest files, and the time per folder
//   npm run test:timings -- --top 10
//   npm run test:timings -- --before old.json  the same, beside an earlier run's figure for each file
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    top: { type: 'string', default: '20' },
    file: { type: 'string', default: path.join(import.meta.dirname, '..', 'test-results', 'timings.json') },
    before: { type: 'string' },
  },
});
const root = path.join(import.meta.dirname, '..');
/** A timings.json, or the output of `jest --json` (a run from before the reporter existed). */
const read = (file) => {
  const json = JSON.parse(readFileSync(file, 'utf8'));
  if (!json.testResults) return json;
  const files = json.testResults.map((r) => ({
    file: path.relative(root, r.name),
    seconds: (r.endTime - r.startTime) / 1000,
    failed: r.status !== 'passed',
  }));
  const end = Math.max(...json.testResults.map((r) => r.endTime));
  const unknown = { start: NaN, end: NaN };
  return { wallSeconds: (end - json.startTime) / 1000, cores: NaN, loadAverage: unknown, files: files.sort((a, b) => b.seconds - a.seconds) };
};
const run = read(values.file);
const before = values.before ? read(values.before) : undefined;
const earlier = new Map((before?.files ?? []).map((f) => [f.file, f]));

/** A file's CPU seconds: its worker's and its child processes'. */
const cpuOf = (f) => (typeof f?.cpuSeconds === 'number' ? f.cpuSeconds + (f.childCpuSeconds ?? 0) : null);
const seconds = (s) => (s === undefined || s === null ? '' : s.toFixed(1));
const row = (cells) => `| ${cells.join(' | ')} |`;
const header = before ? ['file', 'before (s)', 'after (s)', 'before, CPU (s)', 'after, CPU (s)'] : ['file', 'seconds', 'CPU seconds'];
// CPU: the file's worker's and the child processes' it started (test/setup/timings-reporter.js); moto's is not in it.
const figures = (f) => {
  const name = f.failed ? `${f.file} (failed)` : f.file;
  if (!before) return [name, seconds(f.seconds), seconds(cpuOf(f))];
  const then = earlier.get(f.file);
  return [name, seconds(then?.seconds), seconds(f.seconds), seconds(cpuOf(then)), seconds(cpuOf(f))];
};

function total(r) {
  const cpu = r.files.every((f) => cpuOf(f) !== null) ? r.files.reduce((n, f) => n + cpuOf(f), 0) : null;
  return { seconds: r.files.reduce((n, f) => n + f.seconds, 0), cpuSeconds: cpu };
}

/** moto's CPU (test/setup/global-teardown.js): the emulator every file shares, in no file's figure. */
const emulator = (r) => (typeof r.emulatorCpuSeconds === 'number' ? `; moto ${r.emulatorCpuSeconds.toFixed(1)} s CPU` : '');
const describe = (r) =>
  `${r.wallSeconds.toFixed(1)} s wall for ${r.files.length} files on ${r.cores} cores, load average ${r.loadAverage.start.toFixed(1)} → ${r.loadAverage.end.toFixed(1)}${emulator(r)}`;
if (before) console.log(`before: ${describe(before)}`);
console.log(`${before ? 'after:  ' : ''}${describe(run)}\n`);

console.log(row(header));
console.log(row(header.map(() => '---')));
for (const f of run.files.slice(0, Number(values.top))) console.log(row(figures(f)));

/** Seconds (wall and CPU) per top folder of test/: what each kind of test costs in all. */
const byFolder = (r) => {
  const sums = new Map();
  for (const f of r.files) {
    const folder = f.file.split('/').slice(0, 2).join('/');
    const sum = sums.get(folder) ?? { file: folder, seconds: 0, cpuSeconds: 0 };
    sum.seconds += f.seconds;
    sum.cpuSeconds = cpuOf(f) === null || sum.cpuSeconds === null ? null : sum.cpuSeconds + cpuOf(f);
    sums.set(folder, sum);
  }
  return [...sums.values()].sort((a, b) => b.seconds - a.seconds);
};
console.log(`\nAll files of each folder, added up:\n`);
console.log(row(header));
console.log(row(header.map(() => '---')));
if (before) for (const f of byFolder(before)) earlier.set(f.file, f);
for (const f of [...byFolder(run), { file: 'all', ...total(run) }]) {
  if (before) earlier.set('all', { file: 'all', ...total(before) });
  console.log(row(figures(f)));
}
