import type { ErrorObject, ValidateFunction } from 'ajv';
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
 * The JSON Schema of one route's event: every part the route names is required,
 * and checked against its schema; parts it does not name are not looked at.
 * Each route's schema is compiled to its own validator (scripts/validators.ts),
 * and `routeValidator` picks the one for the event's route.
 */
export const routeSchema = (parts: RouteSchema): object => ({
  type: 'object',
  required: Object.keys(parts),
  properties: parts,
});

/** A compiled validator for each route a Lambda serves: a route without one is a type error. */
export type RouteValidators<F extends FunctionName> = { readonly [N in RouteNameOf<F>]: ValidateFunction };

/**
 * One validator for every route of a Lambda: the event is checked by its own
 * route's validator, and an event of no route, or of a route the Lambda does
 * not serve, is refused. (One schema with an `if`/`then` per route compiled to
 * twice the code: every route's checks repeated, and the whole schema embedded
 * for the route-key `enum`; see bench/HISTORY.md.)
 */
export const routeValidator = <F extends FunctionName>(validators: RouteValidators<F>): ValidateFunction => {
  const byKey = new Map<unknown, ValidateFunction>(
    Object.entries<ValidateFunction>(validators).map(([name, validate]) => [ROUTES[name as RouteNameOf<F>].key, validate]),
  );
  const validateEvent = (event: unknown): boolean => {
    const routeKey = typeof event === 'object' && event !== null ? (event as { routeKey?: unknown }).routeKey : undefined;
    const validate = byKey.get(routeKey);
    if (!validate) {
      validateEvent.errors = [
        routeKey === undefined
          ? { instancePath: '', schemaPath: '#/required', keyword: 'required', params: { missingProperty: 'routeKey' } }
          : { instancePath: '/routeKey', schemaPath: '#/properties/routeKey/enum', keyword: 'enum', params: { allowedValues: [...byKey.keys()] } },
      ];
      return false;
    }
    const valid = validate(event);
    validateEvent.errors = validate.errors;
    return valid;
  };
  validateEvent.errors = null as ErrorObject[] | null | undefined;
  // @middy/validator calls the function and reads its `errors`, as Ajv's own validators have them.
  return validateEvent as unknown as ValidateFunction;
};

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
