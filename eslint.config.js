// @ts-check
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Packages a layer may not import (imports between the project's own folders: `boundaries/dependencies` below).
 * `no-restricted-imports` sees static imports; `no-restricted-syntax` sees the same packages in a dynamic import(),
 * and refuses an import() whose module is not a string literal, which no rule could check.
 */
const forbid = (...groups) => {
  const all = [...new Set([TRACER, ...groups])];
  const regex = (glob) =>
    `^${glob
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replaceAll('/', '.')
      .replaceAll('*', '.*')}$`;
  return {
    'no-restricted-imports': ['error', { patterns: all.map(({ group, message }) => ({ group, message })) }],
    'no-restricted-syntax': [
      'error',
      LITERAL_IMPORT,
      ...all.flatMap(({ group, message }) => group.map((g) => ({ selector: `ImportExpression[source.value=/${regex(g)}/]`, message }))),
    ],
  };
};
const LITERAL_IMPORT = {
  selector: "ImportExpression:not([source.type='Literal'])",
  message: 'A dynamic import() names its module as a string literal, so the boundary rule can check it.',
};

const AWS = { group: ['@aws-sdk/*', '@smithy/*'], message: 'AWS SDK code belongs in lambdas/adapters/.' };
const MIDDY = { group: ['@middy/*'], message: 'middy belongs in lambdas/http/.' };
const TRACER = {
  group: ['@aws-lambda-powertools/tracer', '@aws-lambda-powertools/tracer/*', 'aws-xray-sdk', 'aws-xray-sdk-*'],
  message: 'No Lambda carries the X-Ray SDK (README, Tracing).',
};
const LAMBDA_TYPES = { group: ['aws-lambda'], message: 'Lambda event types belong in lambdas/http/.' };

/*
 * The project's folders, as eslint-plugin-boundaries sees them. The first pattern a file matches names its element, so the
 * four layers of lambdas/ come before `lambdas/*`, which makes each other folder of lambdas/ a handler folder of its own.
 * The table in the README's Layout says the same; test/unit/layers.test.ts lints one forbidden import per edge.
 */
const ELEMENTS = [
  { type: 'domain', pattern: 'lambdas/domain' },
  { type: 'adapters', pattern: 'lambdas/adapters' },
  { type: 'http', pattern: 'lambdas/http' },
  { type: 'runtime', pattern: 'lambdas/runtime' },
  { type: 'wiring', pattern: 'lambdas/wiring' },
  { type: 'handler', pattern: 'lambdas/*', capture: ['route'] },
  { type: 'lib', pattern: 'lib' },
  { type: 'bin', pattern: 'bin' },
  { type: 'cli', pattern: 'clients/cli' },
  { type: 'browser', pattern: 'clients' },
  { type: 'local', pattern: 'local' },
  { type: 'scripts', pattern: 'scripts' },
  { type: 'bench', pattern: 'bench' },
  { type: 'dev-support', pattern: 'dev-support' },
  { type: 'docs', pattern: 'docs' },
  { type: 'test', pattern: 'test' },
].map((e) => ({ ...e, partialMatch: false }));

const el = (type, more = {}) => ({ element: { type, ...more } });
/** The lambdas/ facts that code outside the Lambdas may read: the domain and the runtime settings (neither imports AWS or middy), the routes table, resource naming. */
const FACTS = [el('domain'), el('runtime'), el('http', { fileInternalPath: 'routes.ts' }), el('adapters', { fileInternalPath: 'naming.ts' })];
const LAYERS = [el('domain'), el('adapters'), el('http'), el('runtime')];
const allow = (from, to, message) => ({ from: el(from), allow: { to }, ...(message ? { message } : {}) });

/** Which element may import which; anything not allowed here is refused. Imports inside one element are always allowed. */
const POLICIES = [
  allow('adapters', [el('domain')]),
  allow('http', [el('domain'), el('runtime')]),
  allow('runtime', [el('domain')]),
  // What several handlers build the same way (key caches, mint's dependencies), written once over the four layers.
  allow('wiring', LAYERS),
  // A handler folder may import the four layers, the shared wiring and its own files, never another handler folder.
  allow('handler', [...LAYERS, el('wiring')]),
  allow('lib', FACTS),
  allow('bin', [el('lib')]),
  // The CLI reads the routes table and the batch bound, and the browser client's link parser.
  allow('cli', [el('browser'), el('domain'), el('http', { fileInternalPath: 'routes.ts' })]),
  allow('local', [...LAYERS, el('wiring'), el('handler')]),
  // The demo page imports the browser client by the URL the local server serves it at, not by a path in the repository.
  { from: el('local'), allow: { dependency: { source: '/clients/*.js' } } },
  // The generators read the routes, the error table and each handler folder's schema.ts, nothing a handler runs.
  // ... and the settings' defaults (the browser-saves body limit's, for the OpenAPI document).
  // ... and the bundle builder the esbuild options and function names the construct deploys (lib/constructs/).
  allow('scripts', [
    el('domain'),
    el('http'),
    el('runtime', { fileInternalPath: 'environment.ts' }),
    el('handler', { fileInternalPath: 'schema.ts' }),
    el('lib', { fileInternalPath: 'constructs/{bundling,function-names}.ts' }),
    // ... and docs/configuration.md's generator the props' defaults.
    el('lib', { fileInternalPath: 'defaults.ts' }),
  ]),
  allow('bench', [...LAYERS, el('wiring'), el('handler'), el('lib'), el('local'), el('dev-support'), el('test', { fileInternalPath: 'support/**' })]),
  allow('docs', [el('lib')]),
  allow('test', [
    ...LAYERS,
    el('wiring'),
    el('handler'),
    el('lib'),
    el('bin'),
    el('cli'),
    el('browser'),
    el('local'),
    el('scripts'),
    el('bench'),
    el('dev-support'),
    el('docs'),
  ]),
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'cdk.out/',
      '.venv/',
      'coverage/',
      'test-results/',
      '.bench-tmp/',
      'bench/out/',
      // What npm run build:package builds (jsii's CommonJS, the Lambdas' bundles) and npm run package packs.
      'build/',
      'assets/',
      // ... and the folders scripts/build-assets.ts writes them into and moves them out of, which come and go while
      // npm test's lint runs beside the global setup's build: a walk into one that vanished failed the lint.
      'assets.*/',
      'dist/',
      '**/*.gen.js',
      '**/*.gen.d.ts',
      // Built by npm run build:cli from clients/cli/, which is linted; a test keeps the build fresh.
      'bin/session-recovery-cli.js',
      // Templates with include markers, not JavaScript on their own: the clients built from them are linted.
      'clients/src/embeddables-action.js',
      'clients/src/embeddables-save-action.js',
      'clients/src/session-recovery.js',
      'clients/src/session-recovery-qrcode.js',
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
  {
    files: ['lib/**', 'bin/**', 'clients/**'],
    rules: { 'no-restricted-syntax': ['error', LITERAL_IMPORT] },
  },
  // The packages each layer of lambdas/ may not use (README, "Layout").
  {
    files: ['lambdas/domain/**'],
    rules: forbid(AWS, MIDDY, LAMBDA_TYPES),
  },
  // Adapters know AWS and the domain, never HTTP or a Lambda's wiring.
  {
    files: ['lambdas/adapters/**'],
    rules: forbid(MIDDY, LAMBDA_TYPES),
  },
  // The HTTP layer turns events into use-case calls: no AWS SDK.
  {
    files: ['lambdas/http/**'],
    rules: forbid(AWS),
  },
  // Runtime wiring (configuration, logger, caches) depends on no SDK or HTTP framework.
  {
    files: ['lambdas/runtime/**'],
    rules: forbid(AWS, MIDDY, LAMBDA_TYPES),
  },
  // Which of the project's folders may import which, static imports, re-exports and dynamic import() alike (README, "Layout").
  {
    files: ['**/*.{js,mjs,cjs,ts}'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': ELEMENTS,
      'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import', 'require'],
      'import/resolver': { node: { extensions: ['.ts', '.js', '.mjs', '.json'] } },
    },
    rules: {
      'boundaries/dependencies': ['error', { default: 'disallow', checkUnknownLocals: true, policies: POLICIES }],
    },
  },
  // The construct is split by what it builds, as aws-cdk-lib splits its own (README, Layout): no file of lib/ past 300 lines.
  {
    files: ['lib/**'],
    rules: { 'max-lines': ['error', { max: 300, skipBlankLines: false, skipComments: false }] },
  },
);
