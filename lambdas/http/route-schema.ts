import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { ApiError } from '../domain/errors';
import { type FunctionName, ROUTES, type RouteNameOf, routeByKey } from './routes';
import type { HttpResult } from './types';

/** The parts of an HTTP API event a route constrains, as JSON Schemas. */
export interface RouteSchema {
  readonly body?: JSONSchema;
  readonly pathParameters?: JSONSchema;
  readonly queryStringParameters?: JSONSchema;
}

/** One schema for each route a Lambda serves: a route without one is a type error. */
export type RouteSchemasOf<F extends FunctionName> = { readonly [N in RouteNameOf<F>]: RouteSchema };

type Part<S, K extends keyof RouteSchema, Absent> = S extends { readonly [P in K]: infer P extends JSONSchema } ? FromSchema<P> : Absent;

/**
 * The event a route's handler receives once `jsonBody` and the validator have
 * run: its body, path and query parameters typed from the route's own schemas
 * (json-schema-to-ts), so the types cannot drift from what is validated.
 */
export type RouteEvent<S extends RouteSchema> = Omit<APIGatewayProxyEventV2, 'body' | 'pathParameters' | 'queryStringParameters'> & {
  readonly body: Part<S, 'body', undefined>;
  readonly pathParameters: Part<S, 'pathParameters', Record<string, never>>;
  readonly queryStringParameters: Part<S, 'queryStringParameters', Record<string, string | undefined>>;
};

/** A handler for each route a Lambda serves, each given its route's typed event. */
export type RouteHandlers<F extends FunctionName, S extends RouteSchemasOf<F>> = {
  readonly [N in RouteNameOf<F>]: (event: RouteEvent<S[N]>) => Promise<HttpResult>;
};

/**
 * One JSON Schema for a Lambda that serves several routes: each route's schema
 * applies when `routeKey` is that route's, so a single @middy/validator checks
 * every route. Routes not listed are refused.
 */
export const routeEventSchema = <F extends FunctionName>(routes: RouteSchemasOf<F>): object => ({
  type: 'object',
  required: ['routeKey'],
  properties: { routeKey: { enum: Object.keys(routes).map((name) => ROUTES[name as RouteNameOf<F>].key) } },
  allOf: Object.entries(routes).map(([name, parts]) => ({
    if: { properties: { routeKey: { const: ROUTES[name as RouteNameOf<F>].key } } },
    then: {
      required: Object.keys(parts as object),
      properties: parts,
    },
  })),
});

/**
 * The handler of the route the event names. Every route has one (the handlers'
 * type says so); a route key the validator let through but no route has cannot
 * happen, and is refused without running anything.
 */
export const dispatch =
  <F extends FunctionName, S extends RouteSchemasOf<F>>(handlers: RouteHandlers<F, S>) =>
  async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const route = routeByKey(event.routeKey);
    const handle = route && (handlers as Partial<Record<string, (event: unknown) => Promise<HttpResult>>>)[route.name];
    if (!handle) throw new ApiError('not_found', 'No such route.');
    return handle(event);
  };
