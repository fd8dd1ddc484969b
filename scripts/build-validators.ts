/**
 * `npm run build:validators`: compiles every Lambda's JSON Schemas to standalone
 * validator code (lambdas/<fn>/validators.gen.js), so no Lambda compiles a
 * schema, or even carries Ajv's compiler, at cold start. The files are committed;
 * test/unit/validators.test.ts fails when they are stale.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderValidators, VALIDATORS } from './validators';

for (const fn of Object.keys(VALIDATORS)) {
  const { js, dts } = renderValidators(fn);
  const dir = path.join(import.meta.dirname, '..', 'lambdas', fn);
  writeFileSync(path.join(dir, 'validators.gen.js'), js);
  writeFileSync(path.join(dir, 'validators.gen.d.ts'), dts);
  console.log(`wrote lambdas/${fn}/validators.gen.js (${js.length} bytes)`);
}
