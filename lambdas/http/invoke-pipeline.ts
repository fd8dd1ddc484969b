import middy from '@middy/core';
import validator from '@middy/validator';
import type { MiddlewareObj, Request } from '@middy/core';
import type { ValidateFunction } from 'ajv';
import { accessLog } from './access-log';
import { errorNames } from '../domain/errors';
import { toApiError } from './error-response';
import { ANSWER_BEFORE_TIMEOUT_MS } from '../runtime/deadline';
import type { FieldRules } from './validation-message';
import { logger } from '../runtime/logger';
import { checkUnicode } from './unicode';

/** What a direct invocation returns on failure (instead of throwing, so callers get the error code and no stack trace). */
export interface InvokeError {
  readonly error: { readonly code: string; readonly message: string };
}

const errorPayload = (fieldRules: FieldRules): MiddlewareObj => ({
  onError: (request: Request) => {
    const apiError = toApiError(request.error, { logger, fieldRules }, request.event);
    if (apiError.status >= 500) {
      // No `outcome` here: only the request line carries one (log-schema.ts); it follows this line.
      logger.error('invocation failed', errorNames(request.error));
    }
    (request.internal as { outcome?: string }).outcome = apiError.code;
    request.response = { error: { code: apiError.code, message: apiError.message } } satisfies InvokeError;
  },
});

/**
 * The chain for direct `lambda:InvokeFunction` calls: the payload is validated
 * against the same JSON Schema as the HTTP body, and failures come back as
 * `{"error":{"code","message"}}`.
 */
export const invokePipeline = <TEvent, TResult>(
  handler: (event: TEvent) => Promise<TResult>,
  options: { validatePayload: ValidateFunction; fieldRules: FieldRules },
) =>
  middy<TEvent, TResult | InvokeError>({ timeoutEarlyInMillis: ANSWER_BEFORE_TIMEOUT_MS })
    .use(accessLog(logger))
    .use(errorPayload(options.fieldRules))
    .use(validator({ eventSchema: options.validatePayload as never }))
    // The payload's strings as the HTTP body's: no lone surrogate, no U+FFFD.
    .use({ before: (request) => checkUnicode(request.event) })
    .handler(handler);
