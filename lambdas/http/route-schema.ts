/** The parts of an HTTP API event a route constrains. */
export interface RouteSchema {
  readonly body?: object;
  readonly pathParameters?: object;
  readonly queryStringParameters?: object;
}

/**
 * One JSON Schema for a Lambda that serves several routes: each route's schema
 * applies when `routeKey` is that route's, so a single @middy/validator checks
 * every route. Routes not listed are refused.
 */
export const routeEventSchema = (routes: Readonly<Record<string, RouteSchema>>): object => ({
  type: 'object',
  required: ['routeKey'],
  properties: { routeKey: { enum: Object.keys(routes) } },
  allOf: Object.entries(routes).map(([routeKey, parts]) => ({
    if: { properties: { routeKey: { const: routeKey } } },
    then: {
      required: Object.keys(parts),
      properties: parts,
    },
  })),
});
