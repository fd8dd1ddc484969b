/**
 * Jest runs in native ESM mode (node --experimental-vm-modules): middy 7 ships
 * ESM only, and the Lambdas are bundled as ESM too. esbuild only transpiles
 * (test/setup/esbuild-transform.js); `npm run typecheck` does the type checking.
 * @type {import('jest').Config}
 */
export default {
  // Node's, showing what a test prints only when it fails (test/setup/quiet-environment.js).
  testEnvironment: '<rootDir>/test/setup/quiet-environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': '<rootDir>/test/setup/esbuild-transform.js',
  },
  globalSetup: '<rootDir>/test/setup/global-setup.js',
  globalTeardown: '<rootDir>/test/setup/global-teardown.js',
  setupFiles: ['<rootDir>/test/setup/env.ts', '<rootDir>/test/setup/log-capture.ts'],
  testTimeout: 30000,
  // The longest files first, also on a fresh clone, when Jest has no durations of its own (test/setup/sequencer.js).
  testSequencer: '<rootDir>/test/setup/sequencer.js',
  // Each file's time, for `npm run test:timings`.
  reporters: ['default', '<rootDir>/test/setup/timings-reporter.js'],
  /*
   * Workers in parallel, more than the cores: most of a test's time is spent
   * waiting on moto, a child process or Chromium, not on the CPU. Jest's default
   * (cores − 1) is one worker on 2 cores, which runs the files in band. A worker
   * whose heap has grown past the limit after a file is replaced, so a long run
   * does not carry every file's modules to the end.
   */
  maxWorkers: 3,
  workerIdleMemoryLimit: '800MB',
};
