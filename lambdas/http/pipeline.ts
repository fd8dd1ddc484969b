import middy from '@middy/core';
import validator from '@middy/validator';
import type { ValidateFunction } from 'ajv';
import { ANSWER_BEFORE_TIMEOUT_MS } from '../runtime/deadline';
import { logger } from '../runtime/logger';
import { accessLog } from './access-log';
import { errorResponse } from './error-response';
import { jsonBody } from './json-body';
import { type CorsOptions, type ExtraHeaders, responseHeaders } from './response-headers';
import type { MiddlewareObj } from '@middy/core';
import type { HttpResult } from './types';
import type { BodyLimit } from './json-body';
import type { FieldHints, FieldRules } from './validation-message';

export interface HttpPipelineOptions {
  /**
   * The event's validator, compiled from the Lambda's JSON Schema at build time
   * (lambdas/<fn>/validators.gen.js, see scripts/build-validators.ts). Omitted
   * with `maxBodyBytes` by routes that take nothing to validate: the short-link
   * redirect (its code is checked by isShortCode) and the `$default` route.
   */
  readonly validateEvent?: ValidateFunction;
  /** How each field is explained when it fails validation. */
  readonly fieldRules: FieldRules;
  readonly fieldHints?: FieldHints;
  /**
   * Largest accepted body in bytes, larger gets 413: the route's own, from the
   * routes table (`bodyLimits` in routes.ts). Omitted: the body is not parsed.
   */
  readonly maxBodyBytes?: BodyLimit;
  /**
   * Routes people open as pages: `htmlErrors()` (html-errors.ts), errors as a small HTML page unless the client
   * asks for JSON. Passed in rather than imported here, so the other Lambdas do not bundle the pages.
   */
  readonly errorPages?: MiddlewareObj;
  /** CORS for routes browsers call; omit for IAM-authorized routes. */
  readonly cors?: CorsOptions;
  /** Headers added to every response, preflights included. */
  readonly extraHeaders?: ExtraHeaders;
  /** Middlewares that run after error formatting is in place and before the body is parsed (e.g. a kill switch). */
  readonly gates?: readonly MiddlewareObj[];
}

/** A request still in progress this long before the Lambda's timeout is answered 503 with Retry-After (runtime/deadline.ts). */
export { ANSWER_BEFORE_TIMEOUT_MS } from '../runtime/deadline';

/**
 * The middleware chain every HTTP Lambda of the product uses (every route and
 * the `$default` one), in this order:
 * access log (the request id on every line, the request line at the end) →
 * response headers → HTML error pages (page routes only) → error formatting →
 * gates → body parsing → schema validation → the handler.
 * `after` and `onError` hooks run in reverse, so errors are formatted before the
 * headers are added (and before an HTML page replaces them) and the access log
 * sees the final response. Every route gets the early timeout.
 */
export const httpPipeline = <TEvent>(handler: (event: TEvent) => Promise<HttpResult>, options: HttpPipelineOptions) => {
  const chain = middy<TEvent, HttpResult>({ timeoutEarlyInMillis: ANSWER_BEFORE_TIMEOUT_MS })
    .use(accessLog(logger))
    .use(responseHeaders(options.cors, options.extraHeaders));
  if (options.errorPages) chain.use(options.errorPages);
  chain.use(errorResponse({ logger, fieldRules: options.fieldRules, fieldHints: options.fieldHints })).use([...(options.gates ?? [])]);
  if (options.maxBodyBytes !== undefined) chain.use(jsonBody({ maxBytes: options.maxBodyBytes }));
  // @middy/validator's types say Ajv; at run time it calls the compiled validate function it is given.
  if (options.validateEvent) chain.use(validator({ eventSchema: options.validateEvent as never }));
  return chain.handler(handler);
};
