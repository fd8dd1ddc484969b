// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Imports a layer may not make, as `no-restricted-imports` patterns. */
const forbid = (...groups) => ({
  'no-restricted-imports': ['error', { patterns: [...new Set([TRACER, ...groups])].map(({ group, message }) => ({ group, message })) }],
});

const AWS = { group: ['@aws-sdk/*', '@smithy/*'], message: 'AWS SDK code belongs in lambdas/adapters/.' };
const MIDDY = { group: ['@middy/*'], message: 'middy belongs in lambdas/http/.' };
const TRACER = { group: ['@aws-lambda-powertools/tracer', '@aws-lambda-powertools/tracer/*', 'aws-xray-sdk', 'aws-xray-sdk-*'], message: 'No Lambda carries the X-Ray SDK (README, Tracing).' };
const LAMBDA_TYPES = { group: ['aws-lambda'], message: 'Lambda event types belong in lambdas/http/.' };
const outer = (...layers) => ({
  group: layers.flatMap((l) => [`../${l}`, `../${l}/*`, `../../lambdas/${l}/*`]),
  message: `This layer may not import from ${layers.join(', ')}.`,
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/', 'cdk.out/', '.venv/', 'coverage/', 'test-results/', '.bench-tmp/', 'bench/out/', '**/*.gen.js', '**/*.gen.d.ts',
      // Built by npm run build:cli from clients/cli/, which is linted; a test keeps the build fresh.
      'bin/session-recovery-cli.js',
      // Templates with include markers, not JavaScript on their own: the clients built from them are linted.
      'clients/src/embeddables-action.js', 'clients/src/embeddables-save-action.js', 'clients/src/session-recovery.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // A variable assigned once, later, but read by a closure made earlier (a signal handler) stays `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  // Tests, the bench and the CLI read API replies field by field; their shapes are the API's (docs/openapi.yaml).
  {
    files: ['test/**', 'bench/**', 'clients/cli/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  // Code that runs in the browser: the clients and the demo page.
  {
    files: ['clients/*.js', 'clients/src/*.js', 'local/demo/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  // Embeddables Actions keep the guide's `function output(userData, helperFunctions, triggerContext)`, which Embeddables calls.
  {
    files: ['clients/embeddables-*.js'],
    rules: { '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^output$', args: 'none' }] },
  },
  // No Lambda carries the X-Ray SDK: Lambda's active tracing records each invocation without it, and it would add to every new instance's module load (README, Tracing).
  // Every block below forbids it too: a later no-restricted-imports replaces an earlier one, it does not add to it.
  {
    files: ['lambdas/**'],
    rules: forbid(TRACER),
  },
  // The layers of lambdas/ (README, "Layout"): the domain depends on nothing outside itself.
  {
    files: ['lambdas/domain/**'],
    rules: forbid(AWS, MIDDY, LAMBDA_TYPES, outer('adapters', 'http', 'runtime')),
  },
  // Adapters know AWS and the domain, never HTTP or a Lambda's wiring.
  {
    files: ['lambdas/adapters/**'],
    rules: forbid(MIDDY, LAMBDA_TYPES, outer('http', 'runtime')),
  },
  // The HTTP layer turns events into use-case calls: no AWS SDK.
  {
    files: ['lambdas/http/**'],
    rules: forbid(AWS, outer('adapters')),
  },
  // Runtime wiring (configuration, logger, caches) depends on no SDK or HTTP framework.
  {
    files: ['lambdas/runtime/**'],
    rules: forbid(AWS, MIDDY, LAMBDA_TYPES, outer('adapters', 'http')),
  },
  // The construct is split by what it builds, as aws-cdk-lib splits its own (README, Layout): no file of lib/ past 300 lines.
  {
    files: ['lib/**'],
    rules: { 'max-lines': ['error', { max: 300, skipBlankLines: false, skipComments: false }] },
  },
);
