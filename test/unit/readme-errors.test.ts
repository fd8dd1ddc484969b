import { ERROR_STATUS } from '../../lambdas/domain/errors';
import { docSection } from '../support/docs';

it("the README's error table lists every error code the API can answer, each with its status, and no other", () => {
  const section = docSection('docs/routes.md', 'Errors');
  const rows = [...section.matchAll(/^\| (\d{3}) \| `([a-z_]+)` \|/gm)].map(([, status, code]) => [code, Number(status)] as const);
  expect(Object.fromEntries(rows)).toEqual(ERROR_STATUS);
  expect(new Set(rows.map(([code]) => code)).size).toBe(rows.length);
});
