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
import type { FieldHints, FieldRules } from './validation-message';

export interface HttpPipelineOptions {
  /**
   * The event's validator, compiled from the Lambda's JSON Schema at build time
   * (lambdas/<fn>/validators.gen.js, see scripts/build-validators.ts).
   */
  readonly validateEvent: ValidateFunction;
  /** How each field is explained when it fails validation. */
  readonly fieldRules: FieldRules;
  readonly fieldHints?: FieldHints;
  /** Largest accepted body in bytes; larger gets 413. */
  readonly maxBodyBytes: number;
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
 * The middleware chain every HTTP Lambda of the product uses, in this order:
 * access log (the request id on every line, the request line at the end) →
 * response headers → error formatting → gates → body parsing → schema
 * validation → the handler.
 * `after` and `onError` hooks run in reverse, so errors are formatted before the
 * headers are added and the access log sees the final response.
 */
export const httpPipeline = <TEvent>(handler: (event: TEvent) => Promise<HttpResult>, options: HttpPipelineOptions) =>
  middy<TEvent, HttpResult>({ timeoutEarlyInMillis: ANSWER_BEFORE_TIMEOUT_MS })
    .use(accessLog(logger))
    .use(responseHeaders(options.cors, options.extraHeaders))
    .use(errorResponse({ logger, fieldRules: options.fieldRules, fieldHints: options.fieldHints }))
    .use([...(options.gates ?? [])])
    .use(jsonBody({ maxBytes: options.maxBodyBytes }))
    // @middy/validator's types say Ajv; at run time it calls the compiled validate function it is given.
    .use(validator({ eventSchema: options.validateEvent as never }))
    .handler(handler);
