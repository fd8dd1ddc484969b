import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROUTE_LIST } from '../../lambdas/http/routes';
import { renderOpenApi, ROUTE_SCHEMAS } from '../../scripts/openapi';
import { legacyBodySchema } from '../../lambdas/legacy-load-entry-data/schema';

const file = readFileSync(path.join(import.meta.dirname, '..', '..', 'docs', 'openapi.yaml'), 'utf8');
const doc = parse(file) as { openapi: string; paths: Record<string, Record<string, any>> };

it('docs/openapi.yaml is up to date (run `npm run openapi`)', () => {
  expect(file).toBe(renderOpenApi());
});

describe.each(ROUTE_LIST.map((r) => [r.key, r] as const))('%s', (_key, route) => {
  const op = doc.paths[route.path]?.[route.method.toLowerCase()];
  const schema = ROUTE_SCHEMAS[route.name];

  it('is documented with the body schema its Lambda validates with', () => {
    expect(op).toBeDefined();
    expect(op.requestBody?.content['application/json'].schema).toEqual(schema.body);
  });

  it('documents its path and query parameters with the same schemas', () => {
    const params = (op.parameters ?? []) as Array<{ name: string; in: string; schema: unknown }>;
    for (const [where, s] of [
      ['path', schema.pathParameters],
      ['query', schema.queryStringParameters],
    ] as const) {
      const props = (s as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
      expect(params.filter((p) => p.in === where).map((p) => [p.name, p.schema])).toEqual(Object.entries(props));
    }
  });

  it('states its authorization', () => {
    expect(op.security).toEqual(route.access === 'iam' ? [{ sigv4: [] }] : []);
  });
});

it('documents the legacy contract with the schema its Lambda validates with', () => {
  expect(doc.paths['/'].post.requestBody.content['application/json'].schema).toEqual(legacyBodySchema);
  expect(doc.paths['/'].post.deprecated).toBe(true);
});
