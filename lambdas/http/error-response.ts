import type { MiddlewareObj, Request } from '@middy/core';
import type { ErrorObject } from 'ajv';
import { ApiError, errorNames, isApiError, UnavailableError } from '../domain/errors';
import type { Logger } from '../runtime/logger';
import { jsonResult } from './types';
import { type FieldHints, type FieldRules, validationMessage } from './validation-message';

export interface ErrorResponseOptions {
  readonly logger: Logger;
  /** How each body field is explained when it fails validation. */
  readonly fieldRules: FieldRules;
  readonly fieldHints?: FieldHints;
}

/** Seconds a client is told to wait after a 503. */
const RETRY_AFTER_SECONDS = 1;

const validatorErrors = (error: unknown): ErrorObject[] | undefined => {
  if (!(error instanceof Error) || typeof error.cause !== 'object' || error.cause === null) return undefined;
  const cause = error.cause as { package?: unknown; data?: unknown };
  return cause.package === '@middy/validator' && Array.isArray(cause.data) ? (cause.data as ErrorObject[]) : undefined;
};

/** middy's answer when a request is still running close to the Lambda's timeout (pipeline.ts, ANSWER_BEFORE_TIMEOUT_MS). */
const isEarlyTimeout = (error: unknown): boolean =>
  error instanceof Error && error.name === 'TimeoutError' && (error.cause as { package?: unknown } | undefined)?.package === '@middy/core';

/** Maps any failure to an ApiError whose message is safe to return. */
export const toApiError = (error: unknown, options: ErrorResponseOptions, validated?: unknown): ApiError => {
  if (isApiError(error)) return error;
  const ajvErrors = validatorErrors(error);
  if (ajvErrors) return new ApiError('invalid_request', validationMessage(ajvErrors, options.fieldRules, options.fieldHints, validated));
  if (error instanceof UnavailableError || isEarlyTimeout(error)) {
    return new ApiError('service_unavailable', 'The service is busy. Retry shortly.', {
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    });
  }
  return new ApiError('internal_error', 'Something went wrong on our side.');
};

/**
 * Formats every failure as `{"error":{"code","message"}}`. Raw errors are logged
 * by name only (messages of SDK errors can echo request fields) and never returned.
 */
export const errorResponse = (options: ErrorResponseOptions): MiddlewareObj => ({
  onError: (request: Request) => {
    const apiError = toApiError(request.error, options, request.event);
    if (apiError.status >= 500) {
      // No `outcome` here: only the request line carries one (log-schema.ts); it follows this line.
      options.logger.error('request failed', errorNames(request.error));
    }
    const headers: Record<string, string> = {};
    if (apiError.retryAfterSeconds !== undefined) headers['Retry-After'] = String(apiError.retryAfterSeconds);
    request.response = jsonResult(
      apiError.status,
      { error: { code: apiError.code, message: apiError.message, ...(apiError.field === undefined ? {} : { field: apiError.field }) } },
      headers,
    );
    (request.internal as { outcome?: string }).outcome = apiError.code;
  },
});
