import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderValidators, VALIDATORS } from '../../scripts/validators';

it.each(Object.keys(VALIDATORS))('lambdas/%s/validators.gen.js is up to date with its schema (run `npm run build:validators`)', (fn) => {
  const dir = path.join(import.meta.dirname, '..', '..', 'lambdas', fn);
  const { js, dts } = renderValidators(fn);
  expect(readFileSync(path.join(dir, 'validators.gen.js'), 'utf8')).toBe(js);
  expect(readFileSync(path.join(dir, 'validators.gen.d.ts'), 'utf8')).toBe(dts);
});

it('generated validators need no Ajv runtime (nothing to require or import)', () => {
  for (const fn of Object.keys(VALIDATORS)) {
    expect(renderValidators(fn).js).not.toMatch(/\brequire\(|^import /m);
  }
});
