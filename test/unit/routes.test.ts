import { ROUTE_LIST } from '../../lambdas/http/routes';
import { ROUTE_SCHEMAS } from '../../scripts/openapi';

it('every route of the route table has the schema its Lambda validates with, and no schema names a route that does not exist', () => {
  expect(Object.keys(ROUTE_SCHEMAS).sort()).toEqual(ROUTE_LIST.map((r) => r.name).sort());
});
