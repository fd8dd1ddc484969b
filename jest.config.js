/**
 * Jest runs in native ESM mode (node --experimental-vm-modules): middy 7 ships
 * ESM only, and the Lambdas are bundled as ESM too. ts-jest only transpiles;
 * `npm run typecheck` does the type checking.
 * @type {import('jest').Config}
 */
export default {
  // Node's, showing what a test prints only when it fails (test/setup/quiet-environment.js).
  testEnvironment: '<rootDir>/test/setup/quiet-environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: { module: 'esnext', moduleResolution: 'bundler' } }],
  },
  globalSetup: '<rootDir>/test/setup/global-setup.js',
  globalTeardown: '<rootDir>/test/setup/global-teardown.js',
  setupFiles: ['<rootDir>/test/setup/env.ts', '<rootDir>/test/setup/log-capture.ts'],
  testTimeout: 30000,
};
