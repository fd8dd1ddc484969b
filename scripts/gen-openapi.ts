/** Writes docs/openapi.yaml (npm run openapi). test/unit/openapi.test.ts fails when it is stale. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderOpenApi } from './openapi';

const out = path.join(import.meta.dirname, '..', 'docs', 'openapi.yaml');
writeFileSync(out, renderOpenApi());
console.log(`wrote ${out}`);
