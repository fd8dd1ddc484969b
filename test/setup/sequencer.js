// Plain ESM: Jest loads its test sequencer before any transform.
import path from 'node:path';
import Sequencer from '@jest/test-sequencer';

/**
 * The files that take longest, longest first (`npm run test:timings` on a fresh clone, machine idle, December 8): they
 * run for a fixed time (the soaks), wait on child processes, a bundled synth or Chromium, or fuzz the handlers. Started
 * last, one of them would run alone at the end while the other workers idle: the 37-second soak, not in this list,
 * started at 170 s of a 207-second run.
 */
export const LONGEST = [
  'test/integration/soak.test.ts',
  // Early also for the bundled synth it makes, which cfn-lint and artifact tests wait for (test/support/assembly.ts).
  'test/infra/synth.test.ts',
  'test/attack/fuzz.test.ts',
  'test/integration/cli.test.ts',
  'test/integration/local-runtime-process.test.ts',
  'test/integration/cli-mint-batch.test.ts',
  'test/integration/request-limits.test.ts',
  'test/infra/cfn-lint.test.ts',
  'test/e2e/entry-fixation.test.ts',
  'test/integration/faults.test.ts',
  'test/integration/soak-leak.test.ts',
  'test/infra/alarm-actions.test.ts',
];

/**
 * Jest's order (the files that failed last time first, then the longest by the durations it cached), except on a
 * run with no cached durations, as on a fresh clone: Jest would order by file size then, and start LONGEST first.
 */
export default class LongestFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    if (sorted.some((test) => test.duration != null)) return sorted;
    const rank = (test) => {
      const i = LONGEST.indexOf(path.relative(test.context.config.rootDir, test.path));
      return i === -1 ? LONGEST.length : i;
    };
    // Array.prototype.sort is stable: the others keep Jest's order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
