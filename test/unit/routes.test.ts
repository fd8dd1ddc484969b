import { ROUTES, routeKey } from '../../lambdas/http/routes';
import { ROUTE_SCHEMAS } from '../../scripts/openapi';

it('every route of the route table is validated by its Lambda, and no Lambda validates a route that does not exist', () => {
  for (const [fn, schemas] of Object.entries(ROUTE_SCHEMAS)) {
    const routed = ROUTES.filter((r) => r.fn === fn).map((r) => routeKey(r.method, r.path)).sort();
    expect(Object.keys(schemas).sort()).toEqual(routed);
  }
});
