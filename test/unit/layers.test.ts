import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.join(import.meta.dirname, '..', '..');
/** The project's ESLint configuration, running only the rules that keep folders and packages apart. */
const RULES = new Set(['boundaries/dependencies', 'no-restricted-imports', 'no-restricted-syntax']);
const eslint = new ESLint({ cwd: root, ruleFilter: ({ ruleId }) => RULES.has(ruleId) });

/** The boundary messages ESLint gives `code` as if it were the file at `file`. */
const boundaryErrors = async (file: string, code: string): Promise<string[]> => {
  const [result] = await eslint.lintText(`${code}\nexport const x = 1;\n`, { filePath: path.join(root, file) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
};

/** Where `specifier`, written in `file`, points (a fixture whose target has gone would prove nothing). */
const target = (file: string, specifier: string) => path.join(root, path.dirname(file), specifier);
const exists = (file: string) => ['', '.ts', '.js'].some((ext) => existsSync(file + ext));

describe('the layers of lambdas/, as `npm run lint` enforces them', () => {
  it.each([
    ["import { GetItemCommand } from '@aws-sdk/client-dynamodb';", 'AWS SDK code belongs in lambdas/adapters/'],
    ["import { isThrottlingError } from '@smithy/service-error-classification';", 'AWS SDK code belongs in lambdas/adapters/'],
    ["import middy from '@middy/core';", 'middy belongs in lambdas/http/'],
    ["import type { Context } from 'aws-lambda';", 'Lambda event types belong in lambdas/http/'],
    ["export const load = () => import('@aws-sdk/client-dynamodb');", 'AWS SDK code belongs in lambdas/adapters/'],
    ["export const load = () => import('@middy/core');", 'middy belongs in lambdas/http/'],
  ])('the domain may not say %s', async (line, message) => {
    expect(await boundaryErrors('lambdas/domain/example.ts', line)).toEqual([expect.stringContaining(message)]);
  });

  it('the domain may import itself and Node built-ins', async () => {
    expect(
      await boundaryErrors(
        'lambdas/domain/example.ts',
        "import { createHash } from 'node:crypto';\nimport { ApiError } from './errors';\nexport const y = [createHash, ApiError];",
      ),
    ).toEqual([]);
  });

  it.each([
    ['lambdas/adapters/example.ts', "import middy from '@middy/core';"],
    ['lambdas/http/example.ts', "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';"],
    ['lambdas/runtime/example.ts', "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';"],
  ])('%s may not say %s', async (file, line) => {
    expect(await boundaryErrors(file, line)).toHaveLength(1);
  });

  it.each([
    'lambdas/load-entry-data/index.ts',
    'lambdas/runtime/example.ts',
    'lambdas/http/example.ts',
    'lambdas/adapters/example.ts',
    'lambdas/domain/example.ts',
  ])('no Lambda carries the X-Ray SDK: %s may not import the Powertools Tracer or aws-xray-sdk (README, Tracing)', async (file) => {
    for (const line of [
      "import { Tracer } from '@aws-lambda-powertools/tracer';",
      "import AWSXRay from 'aws-xray-sdk-core';",
      "export const t = () => import('aws-xray-sdk-core');",
    ]) {
      expect(await boundaryErrors(file, line)).toContainEqual(expect.stringContaining('No Lambda carries the X-Ray SDK'));
    }
  });

  it.each(['lambdas/domain/example.ts', 'lambdas/mint/example.ts', 'lib/example.ts', 'bin/example.ts', 'clients/cli/example.ts', 'clients/example.js'])(
    '%s may not import() a module named at run time, which no rule could check',
    async (file) => {
      expect(await boundaryErrors(file, 'export const load = (name: string) => import(`../${name}/index`);')).toEqual([
        expect.stringContaining('names its module as a string literal'),
      ]);
    },
  );
});

/** One forbidden edge each: the importing file, the import, and the element type the refusal must name. */
const FORBIDDEN: [string, string, string][] = [
  ['lambdas/domain/example.ts', "import { dynamodb } from '../adapters/clients';", 'adapters'],
  ['lambdas/domain/example.ts', "import { jsonResult } from '../http/types';", 'http'],
  ['lambdas/domain/example.ts', "import { logger } from '../runtime/logger';", 'runtime'],
  ['lambdas/domain/example.ts', "import { routeSchemas } from '../mint/schema';", 'handler'],
  ['lambdas/domain/example.ts', "export const load = () => import('../mint/index');", 'handler'],
  ['lambdas/domain/example.ts', "export * from '../adapters/naming';", 'adapters'],
  ['lambdas/domain/example.ts', "import { SessionRecovery } from '../../lib/session-recovery';", 'lib'],
  ['lambdas/domain/example.ts', "import { seedEntry } from '../../test/support/seed';", 'test'],
  ['lambdas/adapters/example.ts', "import { logger } from '../runtime/logger';", 'runtime'],
  ['lambdas/adapters/example.ts', "import { ROUTES } from '../http/routes';", 'http'],
  ['lambdas/adapters/example.ts', "import { handler } from '../mint/index';", 'handler'],
  ['lambdas/http/example.ts', "import { dynamodb } from '../adapters/clients';", 'adapters'],
  ['lambdas/http/example.ts', "export const load = () => import('../mint/index');", 'handler'],
  ['lambdas/runtime/example.ts', "import { dynamodb } from '../adapters/clients';", 'adapters'],
  ['lambdas/runtime/example.ts', "import { ROUTES } from '../http/routes';", 'http'],
  ['lambdas/mint/example.ts', "import { routeSchemas } from '../entries/schema';", 'handler'],
  ['lambdas/mint/example.ts', "export const load = () => import('../entries/index');", 'handler'],
  ['lambdas/mint/example.ts', "import { SessionRecovery } from '../../lib/session-recovery';", 'lib'],
  ['lambdas/mint/example.ts', "import { startRuntime } from '../../local/runtime';", 'local'],
  ['lib/example.ts', "import { handler } from '../lambdas/mint/index';", 'handler'],
  ['lib/example.ts', "import { dynamodb } from '../lambdas/adapters/clients';", 'adapters'],
  ['lib/constructs/example.ts', "import { pipeline } from '../../lambdas/http/pipeline';", 'http'],
  ['lib/example.ts', "export const load = () => import('../local/runtime');", 'local'],
  ['bin/example.ts', "import { startRuntime } from '../local/runtime';", 'local'],
  ['clients/src/example.js', "import { ROUTES } from '../../lambdas/http/routes';", 'http'],
  ['clients/example.js', "import { csvLine } from './cli/csv';", 'cli'],
  ['clients/example.js', "export const load = () => import('../lib/session-recovery');", 'lib'],
  ['clients/cli/example.ts', "import { dynamodb } from '../../lambdas/adapters/clients';", 'adapters'],
  ['clients/cli/example.ts', "import { pipeline } from '../../lambdas/http/pipeline';", 'http'],
  ['clients/cli/example.ts', "import { handler } from '../../lambdas/mint/index';", 'handler'],
  ['clients/cli/example.ts', "import { SessionRecovery } from '../../lib/session-recovery';", 'lib'],
  ['local/example.ts', "import { seedEntry } from '../test/support/seed';", 'test'],
  ['local/example.ts', "import { SessionRecovery } from '../lib/session-recovery';", 'lib'],
  ['scripts/example.ts', "import { handler } from '../lambdas/mint/index';", 'handler'],
  ['scripts/example.ts', "import { dynamodb } from '../lambdas/adapters/clients';", 'adapters'],
  ['scripts/example.ts', "export const load = () => import('../local/runtime');", 'local'],
  ['bench/example.ts', "import { boundaryErrors } from '../test/unit/layers.test';", 'test'],
  ['dev-support/example.ts', "import { ApiError } from '../lambdas/domain/errors';", 'domain'],
  ['docs/example.ts', "import { dynamodb } from '../lambdas/adapters/clients';", 'adapters'],
];

describe("the boundaries between the project's folders (README, Layout), static imports, re-exports and import() alike", () => {
  it.each(FORBIDDEN)('%s may not say %s', async (file, line, to) => {
    const specifier = /['"]([^'"]+)['"]/.exec(line)![1];
    expect([specifier, exists(target(file, specifier))]).toEqual([specifier, true]);
    expect(await boundaryErrors(file, line)).toEqual([expect.stringMatching(new RegExp(`^boundaries/dependencies: .* to elements of type "${to}"`))]);
  });

  it.each([
    ['lambdas/domain/example.ts', "import x from '../../package.json';"],
    ['lambdas/mint/example.ts', "import x from '../../eslint.config.js';"],
  ])('%s may not import a file that belongs to no folder of the table: %s', async (file, line) => {
    expect(await boundaryErrors(file, line)).toEqual([expect.stringContaining('boundaries/dependencies')]);
  });

  it.each([
    [
      'lambdas/mint/example.ts',
      "import { routeSchemas } from './schema';\nimport { ApiError } from '../domain/errors';\nimport { dynamodb } from '../adapters/clients';\nimport { pipeline } from '../http/pipeline';\nimport { logger } from '../runtime/logger';",
    ],
    ['lambdas/adapters/example.ts', "import { ApiError } from '../domain/errors';"],
    ['lambdas/http/example.ts', "import { logger } from '../runtime/logger';\nimport { ApiError } from '../domain/errors';"],
    [
      'lib/example.ts',
      "import { tableName } from '../lambdas/adapters/naming';\nimport { ROUTES } from '../lambdas/http/routes';\nimport { ENV } from '../lambdas/runtime/environment';\nimport { ApiError } from '../lambdas/domain/errors';",
    ],
    ['bin/example.ts', "import { SessionRecovery } from '../lib/session-recovery';"],
    [
      'clients/cli/example.ts',
      "import { routePath } from '../../lambdas/http/routes';\nimport { MAX_BATCH_LINKS } from '../../lambdas/domain/minting';\nimport { readResumeLink } from '../src/shared.js';",
    ],
    ['local/example.ts', "import { handler } from '../lambdas/mint/index';\nimport { dynamodb } from '../lambdas/adapters/clients';"],
    ['scripts/example.ts', "import { routeSchemas } from '../lambdas/mint/schema';\nimport { ROUTES } from '../lambdas/http/routes';"],
    [
      'bench/example.ts',
      "import { seedEntry } from '../test/support/seed';\nimport { startRuntime } from '../local/runtime';\nimport { handler } from '../lambdas/mint/index';",
    ],
    [
      'test/unit/example.test.ts',
      "import { handler } from '../../lambdas/mint/index';\nimport { SessionRecovery } from '../../lib/session-recovery';\nimport { startRuntime } from '../../local/runtime';\nimport { output } from '../../bench/output';",
    ],
  ])('%s may import what the table allows', async (file, lines) => {
    expect(await boundaryErrors(file, lines)).toEqual([]);
  });
});

it('npm run lint checks the format with Prettier, and leaves the generated files to their generators (README, Layout)', () => {
  const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  expect(scripts.lint.split(' && ')).toEqual(['eslint --max-warnings 0 .', 'npm run format:check']);
  expect(scripts['format:check']).toBe('prettier --check .');
  const ignored = readFileSync(path.join(root, '.prettierignore'), 'utf8').split('\n');
  for (const generated of ['lambdas/*/validators.gen.*', 'docs/openapi.yaml', 'bin/session-recovery-cli.js', 'clients/session-recovery.js'])
    expect(ignored).toContain(generated);
});
