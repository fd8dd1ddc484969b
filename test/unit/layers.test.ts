import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.join(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

/** The boundary-rule messages ESLint gives `code` as if it were the file at `file`. */
const boundaryErrors = async (file: string, code: string): Promise<string[]> => {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
};

describe('the layers of lambdas/, as `npm run lint` enforces them', () => {
  it.each([
    ["import { GetItemCommand } from '@aws-sdk/client-dynamodb';", 'AWS SDK code belongs in lambdas/adapters/'],
    ["import { isThrottlingError } from '@smithy/service-error-classification';", 'AWS SDK code belongs in lambdas/adapters/'],
    ["import middy from '@middy/core';", 'middy belongs in lambdas/http/'],
    ["import type { Context } from 'aws-lambda';", 'Lambda event types belong in lambdas/http/'],
    ["import { awsCall } from '../adapters/errors';", 'may not import from adapters'],
    ["import { jsonResult } from '../http/types';", 'may not import from adapters, http, runtime'],
    ["import { logger } from '../runtime/logger';", 'may not import from adapters, http, runtime'],
  ])('the domain may not say %s', async (line, message) => {
    expect(await boundaryErrors('lambdas/domain/example.ts', `${line}\nexport const x = 1;\n`)).toEqual([expect.stringContaining(message)]);
  });

  it('the domain may import itself and Node built-ins', async () => {
    expect(await boundaryErrors('lambdas/domain/example.ts', "import { createHash } from 'node:crypto';\nimport { ApiError } from './errors';\nexport const x = [createHash, ApiError];\n")).toEqual([]);
  });

  it.each([
    ['lambdas/adapters/example.ts', "import middy from '@middy/core';"],
    ['lambdas/adapters/example.ts', "import { logger } from '../runtime/logger';"],
    ['lambdas/http/example.ts', "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';"],
    ['lambdas/http/example.ts', "import { dynamodb } from '../adapters/clients';"],
    ['lambdas/runtime/example.ts', "import { dynamodb } from '../adapters/clients';"],
  ])('%s may not say %s', async (file, line) => {
    expect(await boundaryErrors(file, `${line}\nexport const x = 1;\n`)).toHaveLength(1);
  });

  it.each(['lambdas/load-entry-data/index.ts', 'lambdas/runtime/example.ts', 'lambdas/http/example.ts', 'lambdas/adapters/example.ts', 'lambdas/domain/example.ts'])(
    'no Lambda carries the X-Ray SDK: %s may not import the Powertools Tracer or aws-xray-sdk (README, Tracing)',
    async (file) => {
      for (const line of ["import { Tracer } from '@aws-lambda-powertools/tracer';", "import AWSXRay from 'aws-xray-sdk-core';"]) {
        expect(await boundaryErrors(file, `${line}\nexport const x = 1;\n`)).toContainEqual(expect.stringContaining('No Lambda carries the X-Ray SDK'));
      }
    },
  );

  it('the code as it stands keeps to them', async () => {
    const results = await eslint.lintFiles(['lambdas']);
    expect(results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => `${r.filePath}: ${m.message}`))).toEqual([]);
  });
});
