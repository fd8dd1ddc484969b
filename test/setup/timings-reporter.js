// Plain ESM: Jest loads reporters before any transform.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';

const RESULTS = path.join(import.meta.dirname, '..', '..', 'test-results');

/**
 * Writes how long each test file of the run took, and the run's wall time, to
 * test-results/timings.json, which `npm run test:timings` prints as a table.
 * A file's time runs from its worker loading it (module imports included) to
 * its results: what it adds to the run on its worker. Its CPU time, its
 * worker's and its child processes' (not moto's, which all files share),
 * depends less on how busy the machine is than the wall time does. The load average at the
 * start and the end says how busy the machine was, which these figures depend on.
 */
export default class TimingsReporter {
  #started = Date.now();
  #load = loadavg()[0];
  #files = [];
  /** Where each file's environment writes the CPU time it took (test/setup/quiet-environment.js); workers inherit it. */
  #cpuDir = path.join(RESULTS, `.timings-cpu-${process.pid}`);

  constructor() {
    process.env.TEST_TIMINGS_CPU_DIR = this.#cpuDir;
  }

  onTestFileResult(test, result) {
    const { start, end } = result.perfStats;
    const file = path.relative(test.context.config.rootDir, test.path);
    const cpu = path.join(this.#cpuDir, encodeURIComponent(file));
    const { worker, children } = existsSync(cpu) ? JSON.parse(readFileSync(cpu, 'utf8')) : {};
    const round = (n) => (typeof n === 'number' ? Math.round(n * 1000) / 1000 : null);
    this.#files.push({
      file,
      seconds: Math.round(end - start) / 1000,
      /** When it started, in seconds from the run's start: which files ran side by side, and which ran last. */
      startedAt: Math.round(start - this.#started) / 1000,
      cpuSeconds: round(worker),
      /** The CPU time of the child processes it started and saw end (a CLI, a local runtime, a synth, Chromium). */
      childCpuSeconds: round(children),
      tests: result.numPassingTests + result.numFailingTests,
      failed: result.numFailingTests > 0 || result.testExecError !== undefined,
    });
  }

  onRunComplete() {
    rmSync(this.#cpuDir, { recursive: true, force: true });
    mkdirSync(RESULTS, { recursive: true });
    const run = {
      wallSeconds: Math.round(Date.now() - this.#started) / 1000,
      cores: cpus().length,
      loadAverage: { start: this.#load, end: loadavg()[0] },
      files: this.#files.sort((a, b) => b.seconds - a.seconds),
    };
    writeFileSync(path.join(RESULTS, 'timings.json'), `${JSON.stringify(run, null, 2)}\n`);
  }
}
