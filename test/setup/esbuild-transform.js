// Plain ESM: Jest loads its transformers before any transform.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { transformSync } from 'esbuild';

const { version } = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', '..', 'node_modules', 'esbuild', 'package.json'), 'utf8'));
const self = readFileSync(import.meta.filename, 'utf8');

/**
 * TypeScript to the ES modules Jest runs (native ESM, node --experimental-vm-modules), by esbuild, which the project
 * bundles its Lambdas with: it only strips the types, as `isolatedModules` (tsconfig.json) guarantees is enough, and
 * `npm run typecheck` does the type checking. Each file transforms in about a millisecond, with no TypeScript compiler
 * to load in each worker; Jest caches the output by this key.
 */
export default {
  getCacheKey: (source, filename) => createHash('sha256').update(version).update(self).update(filename).update('\0').update(source).digest('hex'),
  process(source, filename) {
    const { code, map } = transformSync(source, {
      loader: 'ts',
      format: 'esm',
      target: 'node24',
      sourcefile: filename,
      sourcemap: 'external',
    });
    return { code, map };
  },
};
