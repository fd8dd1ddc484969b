import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_STATUS } from '../../lambdas/domain/errors';

const readme = readFileSync(path.join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

it("the README's error table lists every error code the API can answer, each with its status, and no other", () => {
  const section = readme.slice(readme.indexOf('### Errors'), readme.indexOf('## The journey a team follows'));
  const rows = [...section.matchAll(/^\| (\d{3}) \| `([a-z_]+)` \|/gm)].map(([, status, code]) => [code, Number(status)] as const);
  expect(Object.fromEntries(rows)).toEqual(ERROR_STATUS);
  expect(new Set(rows.map(([code]) => code)).size).toBe(rows.length);
});
