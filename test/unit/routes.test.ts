import { ROUTES, routeKey } from '../../lib/routes';
import { routeSchemas as credentials } from '../../lambdas/credentials/schema';
import { routeSchemas as entries } from '../../lambdas/entries/schema';
import { routeSchemas as mint } from '../../lambdas/mint/schema';
import { routeSchemas as legacyKeys } from '../../lambdas/legacy-keys/schema';

const schemasByFunction: Record<string, Record<string, unknown>> = {
  credentials,
  entries,
  mint,
  'legacy-keys': legacyKeys,
  'load-entry-data': { 'POST /v1/load-entry-data': {} },
};

it('every route of the route table is validated by its Lambda, and no Lambda validates a route that does not exist', () => {
  for (const [fn, schemas] of Object.entries(schemasByFunction)) {
    const routed = ROUTES.filter((r) => r.fn === fn).map((r) => routeKey(r.method, r.path)).sort();
    expect(Object.keys(schemas).sort()).toEqual(routed);
  }
});
