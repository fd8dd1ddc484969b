import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ApiError } from '../domain/errors';
import { httpPipeline } from '../http/pipeline';
import { routePath } from '../http/routes';
import type { HttpResult } from '../http/types';

/** The `$default` route reads nothing and has no settings: its dependencies are none. */
export type NotFoundDeps = Record<string, never>;

/** As every Lambda's: here there is nothing to read. */
export const fromEnvironment = (): NotFoundDeps => ({});

/** The longest path echoed back, so the answer stays small whatever was asked. */
const MAX_ECHOED_PATH = 100;

/**
 * API Gateway's `$default` route (DEFAULT_ROUTE): every request that no route
 * matches gets the documented 404 instead of API Gateway's own
 * `{"message":"Not Found"}`. It parses no body and reads nothing.
 */
const notFound = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  const method = event.requestContext?.http?.method ?? 'GET';
  const path = event.rawPath ?? '/';
  const shown = path.length > MAX_ECHOED_PATH ? `${path.slice(0, MAX_ECHOED_PATH)}…` : path;
  throw new ApiError(
    'not_found',
    `No route serves ${method} ${shown}. Resume links are posted to POST ${routePath('loadEntryData')}; docs/openapi.yaml lists every route.`,
  );
};

// The one pipeline, less what a request with no route needs: no CORS, body or schema.
export const createHandler = (_deps: NotFoundDeps) => httpPipeline(notFound, { fieldRules: {} });
